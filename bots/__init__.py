"""The chat channels (Telegram, Zalo OA): the webhooks and thin adapters that turn platform updates into one
channel-neutral conversation (`bots.conversation`) over the domain. `service` never imports this package;
the senders of outgoing messages live in `service.outbound`, run by `python -m service.jobs`."""
