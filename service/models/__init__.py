"""Every model, imported so `Base.metadata` knows all tables (Alembic, tests)."""
from service.models.accountability import OfficeHead, PlanTaskNote, PlanTaskState
from service.models.attachment import Attachment
from service.models.catalogue import CatalogueTask, Plan
from service.models.console import CannedAnswer, PetitionRead
from service.models.channel import ChannelToken, ChatConversation, IdempotencyRecord, ProcessedInbound
from service.models.data_request import DataRequest
from service.models.deadline import Deadline
from service.models.dialogue import (AgendaItem, Commitment, DialogueBriefingVersion, DialogueRegistration,
                                    DialogueSession, DialogueSubscription)
from service.models.event import Event
from service.models.flag import Flag
from service.models.job import ClassificationCorrection, ClassifierModel, HolidayOverride, JobLease
from service.models.lookup import LookupFailure
from service.models.matter import Matter, MatterSeparation, MatterSuggestion, PetitionSignature
from service.models.open311 import Open311Client
from service.models.outbox import OutboxMessage
from service.models.person import Person
from service.models.petition import Petition
from service.models.rating import Rating
from service.models.reception import ReceptionBooking, ReceptionDay, ReceptionVisit, Supporter
from service.models.reply import Reply
from service.models.staff_session import LoginFailure, StaffSession
from service.models.unit import Office, Unit
from service.models.user import ApiToken, AuditEntry, User

__all__ = [
    "AgendaItem", "ApiToken", "Attachment", "AuditEntry", "CatalogueTask", "ChannelToken", "ChatConversation",
    "ClassificationCorrection", "ClassifierModel", "Commitment", "DataRequest", "Deadline", "DialogueRegistration", "DialogueSession", "Event",
    "DialogueSubscription", "DialogueBriefingVersion",
    "Flag", "HolidayOverride", "IdempotencyRecord", "JobLease", "LoginFailure", "LookupFailure", "Matter",
    "MatterSeparation", "MatterSuggestion", "Open311Client", "OfficeHead", "OutboxMessage", "PlanTaskNote", "PlanTaskState",
    "CannedAnswer", "Person", "Petition", "PetitionRead", "PetitionSignature", "Plan", "ProcessedInbound", "Rating",
    "Reply", "StaffSession", "Unit",
    "User",
    "ReceptionBooking", "ReceptionDay", "ReceptionVisit", "Supporter",
]
