"""The working-day calendar, the dated legal deadline rules and their stamps."""
