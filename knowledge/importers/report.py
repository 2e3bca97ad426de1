"""What an import did: records added, changed, unchanged, unpublished and rejected.

The report's size does not grow with the feed: it counts the records added, changed and
unpublished (`n_added`, `n_changed`, `n_unpublished`) and keeps only the first
`SAMPLE_SIZE` ids of each (`added`, `changed`, `unpublished`). Rejections are all kept:
they are what the staff must fix.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SAMPLE_SIZE = 200  # ids kept in each of added / changed / unpublished


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
    `n_…` fields are the counts. `rejected` lists every refused record."""

    source: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    unpublished: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
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
        out["summary"] = self.summary_fr()
        return out

    def summary_fr(self) -> str:
        """A short French account of the run, then one line per rejected record."""
        counts = (f"{self.n_added} ajout(s), {self.n_changed} modification(s), "
                  f"{self.unchanged} inchangé(s), {self.n_unpublished} dépublication(s), "
                  f"{len(self.rejected)} refus")
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
            lines.append(f"Fiches refusées (toutes, {len(self.rejected)}) :")
        lines += [f"  - {r}" for r in self.rejected]
        return "\n".join(lines)
