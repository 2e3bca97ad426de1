"""Per-rule counts of the safety net, shared by the blind report and the cross-validation."""
from scripts.nlu_report import safety_net_counts


def parse(rule: str | None, before: str, after: str) -> dict:
    net = {"rule": rule, "from": before, "to": after, "added": [{}], "dropped": []}
    return {"intent": {"name": after}, "safety_net": net if rule else {}}


def test_fixed_broke_and_paths_are_counted_per_rule() -> None:
    gold = ["find_places", "ask_weather", "find_places", "out_of_scope", "greet"]
    parses = [
        parse("kind word, request (classifier unsure)", "ask_weather", "find_places"),
        parse("kind word, request (classifier unsure)", "ask_weather", "find_places"),
        parse("kind word, request (classifier unsure)", "find_events", "find_places"),
        parse("personal errands", "find_places", "out_of_scope"),
        parse(None, "greet", "greet"),
    ]
    counts = safety_net_counts(gold, parses)
    unsure = counts["rules"]["kind word, request — classifier unsure"]
    # Row 1 fixed; row 2 broke (the classifier had ask_weather right); row 3 fixed.
    assert unsure == {"fired": 3, "fixed": 2, "broke": 1}
    assert counts["rules"]["personal errands — always"] == {"fired": 1, "fixed": 1, "broke": 0}
    assert counts["entities_added"] == 4
    assert "greet" not in str(counts["rules"])
