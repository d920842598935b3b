"""The chairperson's dialogue sessions: registrations, speakers, briefing, commitments."""
