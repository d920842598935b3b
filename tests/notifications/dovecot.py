"""A real IMAP server for the tests: Debian's dovecot-imapd (scripts/install.sh --system), configured in a
temporary folder, listening on 127.0.0.1, one mailbox user; letters are put into its Maildir directly."""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "tiepdan", "mat-khau-hop-thu"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
default_login_user = dovenull
default_internal_user = dovecot
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def available() -> bool:
    return os.path.exists(DOVECOT) and os.geteuid() == 0


class Dovecot:
    def __init__(self, root: Path):
        self.root = root
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        owner = pwd.getpwnam("nobody")
        self.uid, self.gid = owner.pw_uid, owner.pw_gid
        self.config = root / "dovecot.conf"

    @property
    def url(self) -> str:
        return f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"

    def start(self) -> Dovecot:
        for sub in ("run", "state", f"mail/{USER}/new", f"mail/{USER}/cur", f"mail/{USER}/tmp", f"home/{USER}"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        self.config.write_text(CONFIG.format(root=self.root, uid=self.uid, gid=self.gid, port=self.port))
        os.chmod(self.root, 0o755)
        for path in [self.root / "mail", self.root / "home", *(self.root / "mail").rglob("*"),
                     *(self.root / "home").rglob("*")]:
            os.chown(path, self.uid, self.gid)
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError("dovecot did not start: " + self.log())

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def deliver(self, raw: bytes) -> None:
        """Put a letter into the mailbox, as the mail server's delivery agent does."""
        name = f"{time.time():.6f}.{uuid.uuid4().hex}.test"
        path = self.root / "mail" / USER / "new" / name
        path.write_bytes(raw)
        os.chown(path, self.uid, self.gid)

    def stop(self) -> None:
        subprocess.run([DOVECOT, "-c", str(self.config), "stop"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=20)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
