"""`python -m bots.admin …`: administrator commands for the chat channels.

  register-group --channel telegram|zalo --unit CODE --office CODE --chat-id ID
  unregister-group --channel telegram|zalo --unit CODE --office CODE
  list-groups
  set-webhook --url https://…/bots/telegram/webhook   (Telegram setWebhook with TELEGRAM_WEBHOOK_SECRET)
  zalo-token        store ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN (from the environment) as the current pair
  zalo-refresh      refresh the Zalo pair now, under the lock

(`service/cli.py` cannot offer these: service never imports bots.) Tokens are read from the environment,
never from the command line, where other users of the machine could see them.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any, Mapping

from bots import groups
from service.db import Database
from service.domain.errors import DomainError
from service.settings import load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bots.admin", description="Chat channel administration")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("register-group", "unregister-group"):
        sub = commands.add_parser(name)
        sub.add_argument("--channel", choices=sorted(groups.COLUMNS), required=True)
        sub.add_argument("--unit", required=True, help="unit code (e.g. 11737) or name")
        sub.add_argument("--office", required=True, help="office code (van_phong, phong_kinh_te, …)")
        if name == "register-group":
            sub.add_argument("--chat-id", required=True, help="Telegram chat id (/dangky in the group) or Zalo group id")
    commands.add_parser("list-groups")
    webhook = commands.add_parser("set-webhook")
    webhook.add_argument("--url", required=True)
    commands.add_parser("zalo-token")
    commands.add_parser("zalo-refresh")
    return parser


def run(args: argparse.Namespace, settings: Mapping[str, Any], out=sys.stdout) -> int:
    if args.command == "set-webhook":
        return _set_webhook(args.url, settings, out)
    database = Database(settings["DATABASE_URL"], pool_size=1)
    try:
        if args.command == "zalo-refresh":
            from service.outbound.zalo import tokens
            from service.outbound.zalo.sender import client_from

            tokens.refresh(database, client_from(settings), settings)
            print("Zalo token pair refreshed and stored.", file=out)
            return 0
        with database.session_scope() as session:
            return _database_command(session, args, settings, out)
    except DomainError as err:
        print(err.message, file=sys.stderr)
        return 1
    finally:
        database.dispose()


def _database_command(session, args: argparse.Namespace, settings: Mapping[str, Any], out) -> int:
    if args.command == "register-group":
        office = groups.register_group(session, args.channel, args.unit, args.office, args.chat_id)
        print(f"{office.name} – {office.unit.name}: {args.channel} group {args.chat_id} registered "
              f"(a confirmation message is queued for the group).", file=out)
    elif args.command == "unregister-group":
        office = groups.unregister_group(session, args.channel, args.unit, args.office)
        print(f"{office.name} – {office.unit.name}: {args.channel} group removed.", file=out)
    elif args.command == "list-groups":
        for office in groups.registered(session):
            print(f"{office.unit.code}\t{office.code}\ttelegram={office.telegram_chat_id or '-'}\t"
                  f"zalo={office.zalo_group_id or '-'}\t{office.name} – {office.unit.name}", file=out)
    elif args.command == "zalo-token":
        from service.outbound.zalo import tokens

        if not settings.get("ZALO_ACCESS_TOKEN"):
            print("Set ZALO_ACCESS_TOKEN (and ZALO_REFRESH_TOKEN) in the environment first.", file=sys.stderr)
            return 2
        tokens.store(session, str(settings["ZALO_ACCESS_TOKEN"]), str(settings.get("ZALO_REFRESH_TOKEN") or "") or None,
                     None)
        print("Zalo token pair stored.", file=out)
    return 0


def _set_webhook(url: str, settings: Mapping[str, Any], out) -> int:
    from service.outbound.telegram import api_from

    secret = str(settings.get("TELEGRAM_WEBHOOK_SECRET") or "")
    if not settings.get("TELEGRAM_BOT_TOKEN") or not secret:
        print("Set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET first.", file=sys.stderr)
        return 2
    api_from(settings).set_webhook(url, secret)
    print(f"Telegram webhook set to {url}.", file=out)
    return 0


def main(argv: list[str] | None = None, overrides: Mapping[str, Any] | None = None) -> int:
    args = _parser().parse_args(argv)
    return run(args, load_settings(overrides))


if __name__ == "__main__":
    sys.exit(main())
