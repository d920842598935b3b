"""The citizen-facing limits of intake and look-ups, built once from the settings by each entry point and
passed explicitly by the adapters (web, API, bots) to `intake.submit`, `status.look_up` and the like."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from service.domain.intake.lookup_guard import LookupPolicy
from service.domain.intake.quota import PhoneQuota


def _quota(spec: Any) -> PhoneQuota | None:
    return PhoneQuota.parse(str(spec)) if spec and str(spec).strip() else None


@dataclass(frozen=True)
class IntakeLimits:
    phone: PhoneQuota | None = None  # petitions per phone number (RATELIMIT_PER_PHONE)
    lookup: LookupPolicy | None = None  # failed status look-ups (LOOKUP_LIMIT_PER_CLIENT, LOOKUP_LIMIT_PER_CODE)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> IntakeLimits:
        """None of them when RATELIMIT_ENABLED is off; a limit left empty is no limit."""
        if not settings.get("RATELIMIT_ENABLED"):
            return cls()
        return cls(_quota(settings.get("RATELIMIT_PER_PHONE")),
                   LookupPolicy(_quota(settings.get("LOOKUP_LIMIT_PER_CLIENT")),
                                _quota(settings.get("LOOKUP_LIMIT_PER_CODE"))))


NO_LIMITS = IntakeLimits()
