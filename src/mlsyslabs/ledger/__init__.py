"""The Design Ledger: a learner's predictions and decisions, durable across labs."""
from .report import InvariantScore, ReportCard, off_by_factor, report_card
from .schema import CONTEXTS, SCHEMA_VERSION, LedgerError
from .store import Ledger, home

__all__ = ["Ledger", "LedgerError", "ReportCard", "InvariantScore", "report_card", "off_by_factor", "home",
           "CONTEXTS", "SCHEMA_VERSION"]
