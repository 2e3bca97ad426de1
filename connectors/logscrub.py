"""No coordinates, phone numbers or e-mail addresses in the logs (issue 15).

Rasa's warnings quote what a visitor typed ("Failed to parse arguments in line
'/share_location{…}'"), and the messaging platforms' error bodies, logged by the
connectors, hold phone numbers. `ScrubFilter` masks them in a log record with the marks of
the analytics exports (`analytics.privacy.scrub`).

`install()` applies it to every record of the process, whoever logs and wherever it goes:
a filter on a logger does not see its children's records, and Rasa, Sanic and coloredlogs
add their handlers after the channel modules are imported, so the filter runs in the
record factory instead. Python warnings (Rasa's `raise_warning`) are printed, not logged:
`warnings.formatwarning` is wrapped too. Idempotent; run at the import of the `connectors`
package (the Rasa process loads its channels and tracker store from it) and by the web app.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from analytics.privacy import scrub

_MARK = "_scrubbed_by_logscrub"


class ScrubFilter(logging.Filter):
    """Masks coordinates, phone numbers and e-mail addresses in the record's message (its
    arguments merged in) and its traceback text. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let logging report it as usual
            return True
        record.msg, record.args = scrub(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


SCRUB = ScrubFilter()


def installed() -> bool:
    return bool(getattr(logging.getLogRecordFactory(), _MARK, False)
                and getattr(warnings.formatwarning, _MARK, False))


def install() -> None:
    """Every log record of the process and every printed warning scrubbed (idempotent)."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, _MARK, False):
        def scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = factory(*args, **kwargs)
            SCRUB.filter(record)
            return record

        setattr(scrubbed_record, _MARK, True)
        logging.setLogRecordFactory(scrubbed_record)
    formatwarning = warnings.formatwarning
    if not getattr(formatwarning, _MARK, False):
        def scrubbed_warning(*args: Any, **kwargs: Any) -> str:
            return scrub(formatwarning(*args, **kwargs))

        setattr(scrubbed_warning, _MARK, True)
        warnings.formatwarning = scrubbed_warning
