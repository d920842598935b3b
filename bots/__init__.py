"""The chat channels (Telegram, Zalo OA): thin adapters that turn platform updates into one
channel-neutral conversation (`bots.conversation`) over the domain. `service` never imports this package."""
