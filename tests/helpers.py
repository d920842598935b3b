"""Small builders shared by tests."""
from __future__ import annotations

import datetime as dt
import io

from sqlalchemy import func, select

from service.db import utcnow
from service.domain.deadlines.calendar import local_date

from service.domain.people import accounts
from service.models import Petition
from tests import factories


def vn_today() -> dt.date:
    """Today in Việt Nam, as the service counts days: the machine's own date (UTC here) is yesterday's from 17:00."""
    return local_date(utcnow())


def count_petitions(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Petition)) or 0


def staff_token(session, username="vp", role="staff", unit="11914", office="van_phong") -> str:
    factories.user(session, username, role, unit=unit, office=office, commit=False)
    token = accounts.create_token(session, username)
    session.commit()
    return token


def png_bytes(size=(8, 8), exif_gps=False) -> bytes:
    from PIL import Image

    img = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        img.save(out, format="JPEG", exif=exif.tobytes())
    else:
        img.save(out, format="PNG")
    return out.getvalue()
