"""Everything a lab notebook imports, in one line:

    from mlsyslabs.labs.kit import G, LabSession, Ledger, P, U, build_record, charts, get_lab, home_context, ui
"""
from .. import physics as P
from ..ledger import Ledger, report_card
from ..physics import units as U
from ..ui import charts
from ..ui import components as ui
from ..ui import predictions as G
from .catalog import VOL1_INVARIANTS, get_lab, volume1_scored_labs
from .protocol import (LabSession, build_record, home_context, ledger_choice, ledger_number, ledger_value,
                       plain_text)

__all__ = ["P", "U", "G", "ui", "charts", "Ledger", "report_card", "get_lab", "VOL1_INVARIANTS", "volume1_scored_labs",
           "LabSession", "build_record", "home_context", "ledger_choice", "ledger_number", "ledger_value",
           "plain_text"]
