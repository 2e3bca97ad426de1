"""What an import did: records added, changed, unchanged, unpublished and rejected.

The report's size does not grow with the feed: it counts the records added, changed and
unpublished (`n_added`, `n_changed`, `n_unpublished`) and keeps only the first
`SAMPLE_SIZE` ids of each (`added`, `changed`, `unpublished`). Rejections are what
the staff must fix: the first `REJECTION_SAMPLE` are kept whole (`rejected`), the others
only counted by reason (`more_rejected`, at most `REASON_KINDS` reasons, the rest under
`OTHER_REASONS`), so that a file of 666,666 refused `{}` does not hold them all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SAMPLE_SIZE = 200  # ids kept in each of added / changed / unpublished
REJECTION_SAMPLE = 200  # rejections kept whole; the others are counted by reason
REASON_KINDS = 50  # distinct reasons counted beyond the sample
OTHER_REASONS = "autres motifs"


@dataclass(frozen=True)
class Rejection:
    """A record (or a whole file, when `record_id` is None) that was refused.

    `field` names the field of the source format ("schema:latitude", "location.latitude",
    a CSV column…) or of the knowledge base when the problem was found by validation.
    `reason` is French, written for the staff.
    """

    file: str
    record_id: str | None
    field: str | None
    reason: str
    # how staff recognise the record (importers/describe.py), when the source says it
    title: str | None = None
    place: str | None = None
    dates: str | None = None

    def __str__(self) -> str:
        parts = [f"fichier {self.file}"]
        if self.record_id:
            named = " — ".join(p for p in (self.title, self.place, self.dates) if p)
            parts.append(f"fiche {self.record_id}" + (f" ({named})" if named else ""))
        if self.field:
            parts.append(f"champ {self.field}")
        return ", ".join(parts) + f" : {self.reason}"


@dataclass
class ImportReport:
    """`added`, `changed` and `unpublished` are the first `SAMPLE_SIZE` ids; the
    `n_…` fields are the counts. `rejected` lists the first `REJECTION_SAMPLE`
    rejections; `more_rejected` counts the others by reason (add them with `reject`)."""

    source: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    unpublished: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    more_rejected: dict[str, int] = field(default_factory=dict)
    n_added: int = 0
    n_changed: int = 0
    n_unpublished: int = 0
    dry_run: bool = False
    committed: bool = False
    full_feed: bool = False
    partial: bool = False
    actor: str | None = None
    # id → {"title", "place", "dates", "kind"} of the ids kept in added / changed /
    # unpublished: how the console names them
    names: dict[str, dict[str, str | None]] = field(default_factory=dict)

    def note(self, what: str, record_id: str,
             named: dict[str, str | None] | None = None) -> None:
        """Count a record "added", "changed" or "unpublished", keeping its id (and how
        staff name it, `named`) if the sample is not full."""
        setattr(self, f"n_{what}", getattr(self, f"n_{what}") + 1)
        ids: list[str] = getattr(self, what)
        if len(ids) < SAMPLE_SIZE:
            ids.append(record_id)
            if named:
                self.names[record_id] = named

    def reject(self, rejection: Rejection) -> None:
        """Keep a rejection whole while the sample is not full, else count its reason."""
        if len(self.rejected) < REJECTION_SAMPLE:
            self.rejected.append(rejection)
            return
        reason = rejection.reason
        if reason not in self.more_rejected and len(self.more_rejected) >= REASON_KINDS:
            reason = OTHER_REASONS
        self.more_rejected[reason] = self.more_rejected.get(reason, 0) + 1

    @property
    def n_rejected(self) -> int:
        """Every rejection, kept whole or counted."""
        return len(self.rejected) + sum(self.more_rejected.values())

    @property
    def truncated(self) -> bool:
        """True when some added, changed or unpublished ids are not in the lists."""
        return (self.n_added > len(self.added) or self.n_changed > len(self.changed)
                or self.n_unpublished > len(self.unpublished))

    @property
    def ok(self) -> bool:
        """True when nothing was rejected (the run could be, or was, committed whole)."""
        return not self.rejected

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["rejected"] = [asdict(r) for r in self.rejected]
        out["ids_sample_size"] = SAMPLE_SIZE
        out["ids_truncated"] = self.truncated
        out["n_rejected"] = self.n_rejected
        out["summary"] = self.summary_fr()
        return out

    def summary_fr(self) -> str:
        """A short French account of the run, then one line per rejected record."""
        counts = (f"{self.n_added} ajout(s), {self.n_changed} modification(s), "
                  f"{self.unchanged} inchangé(s), {self.n_unpublished} dépublication(s), "
                  f"{self.n_rejected} refus")
        if self.dry_run:
            verdict = "Essai (rien n'a été enregistré)"
            if self.rejected and not self.partial:
                verdict += " : l'import réel serait refusé tant que les refus ne sont pas corrigés"
        elif self.committed:
            verdict = "Import enregistré"
            if self.rejected:
                verdict += " sauf les fiches refusées"
        else:
            verdict = "Import refusé, rien n'a été enregistré"
            counts = "sans les refus, il y aurait eu " + counts
        lines = [f"{verdict} — {self.source} : {counts}."]
        if self.rejected:
            lines.append(f"Fiches refusées ({self.n_rejected}) :")
        lines += [f"  - {r}" for r in self.rejected]
        if self.more_rejected:
            lines.append(f"  … et {sum(self.more_rejected.values())} autres refus "
                         f"(motifs : {self.more_reasons_fr()}).")
        return "\n".join(lines)

    def more_reasons_fr(self) -> str:
        """The reasons of the rejections beyond the sample, most frequent first."""
        ranked = sorted(self.more_rejected.items(), key=lambda kv: (-kv[1], kv[0]))
        return " ; ".join(f"{reason} × {count}" for reason, count in ranked)
