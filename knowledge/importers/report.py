"""What an import did: records added, changed, unchanged, unpublished and rejected."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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

    def __str__(self) -> str:
        parts = [f"fichier {self.file}"]
        if self.record_id:
            parts.append(f"fiche {self.record_id}")
        if self.field:
            parts.append(f"champ {self.field}")
        return ", ".join(parts) + f" : {self.reason}"


@dataclass
class ImportReport:
    source: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    unpublished: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    dry_run: bool = False
    committed: bool = False
    full_feed: bool = False
    partial: bool = False
    actor: str | None = None

    @property
    def ok(self) -> bool:
        """True when nothing was rejected (the run could be, or was, committed whole)."""
        return not self.rejected

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["rejected"] = [asdict(r) for r in self.rejected]
        out["summary"] = self.summary_fr()
        return out

    def summary_fr(self) -> str:
        """A short French account of the run, then one line per rejected record."""
        counts = (f"{len(self.added)} ajout(s), {len(self.changed)} modification(s), "
                  f"{self.unchanged} inchangé(s), {len(self.unpublished)} dépublication(s), "
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
        lines += [f"  - {r}" for r in self.rejected]
        return "\n".join(lines)
