"""French as locals write it (bot.dialogue.french) and each family member's agreement
(bot.dialogue.voice, bot.dialogue.persona)."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.dialogue import french
from bot.dialogue.persona import FAMILY, FRANCK, JEANNINE, LEA, SOPHIE, member_signed
from bot.dialogue.voice import VOICE, say

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(("name", "de", "a"), [
    ("Le Quesnoy", "du Quesnoy", "au Quesnoy"),
    ("Les Rues-des-Vignes", "des Rues-des-Vignes", "aux Rues-des-Vignes"),
    ("Bavay", "de Bavay", "à Bavay"),
    ("Audignies", "d'Audignies", "à Audignies"),
    ("Englefontaine", "d'Englefontaine", "à Englefontaine"),
    ("La Longueville", "de La Longueville", "à La Longueville"),
    ("L'Orée de Mormal", "de L'Orée de Mormal", "à L'Orée de Mormal"),
    ("Hargnies", "de Hargnies", "à Hargnies"),  # aspirated h in the Nord
    ("le Pays de Mormal", "du Pays de Mormal", "au Pays de Mormal"),
    ("votre position (près de Bavay)", "de votre position (près de Bavay)",
     "à votre position (près de Bavay)"),
])
def test_prepositions_before_place_names(name: str, de: str, a: str) -> None:
    assert french.de(name) == de
    assert french.a(name) == a
    assert french.pres_de(name) == "près " + de


def test_dates_distances_and_durations() -> None:
    assert french.french_date(datetime(2027, 7, 1, 10, tzinfo=PARIS)) == "jeudi 1er juillet"
    assert french.french_date(datetime(2027, 6, 19, 23, 30, tzinfo=PARIS)) == "samedi 19 juin"
    assert french.time_fr(datetime(2027, 6, 19, 14, 30, tzinfo=PARIS)) == "14 h 30"
    assert french.time_fr(datetime(2027, 6, 19, 10, 0, tzinfo=PARIS)) == "10 h"
    assert french.km_fr(2.35) == "2,4 km" and french.km_fr(10.0) == "10 km"
    assert french.distance_fr(7.4, "commune") == "≈ 7 km"
    assert french.distance_fr(1.2, "commune") is None
    assert french.distance_fr(1.24, "exact") == "1,2 km"
    assert french.distance_fr(None, "exact") is None
    # Outside the 52 communes, it is said (issue 16).
    assert french.distance_fr(12.44, "exact", False) == "à 12,4 km, hors du Pays de Mormal"
    assert french.distance_fr(7.4, "commune", False) == "à environ 7 km, hors du Pays de Mormal"
    assert french.distance_fr(1.2, "commune", False) == "hors du Pays de Mormal"
    assert french.duration_fr(75) == "1 h 15" and french.duration_fr(180) == "3 h"
    assert french.duration_fr(45) == "45 min" and french.duration_fr(None) is None
    assert french.join_fr(["a", "b", "c"]) == "a, b et c" and french.join_fr(["a"]) == "a"


def test_replies_use_the_contractions() -> None:
    rng = random.Random(1)
    for _ in range(10):
        text = say("position_set", rng, position_label="Le Quesnoy")
        assert "du Quesnoy" in text and "de Le" not in text
        assert "à Le " not in say("radius_widened", rng, radius="10", where="Le Quesnoy")


def test_each_member_agrees() -> None:
    assert [m.key for m in FAMILY.values() if m.feminine] == ["jeannine", "sophie", "lea"]
    assert FRANCK.agree("Désolé", "Désolée") == "Désolé"
    for member in (JEANNINE, SOPHIE, LEA):
        assert member.agree("Désolé", "Désolée") == "Désolée"
        assert member_signed(member.signature) is member
    for key, templates in VOICE.items():
        for template in templates:
            assert "Désolé " not in template and "Désolé," not in template, key
    for member in FAMILY.values():
        for seed in range(4):
            text = say("no_results", random.Random(seed), speaker=member.signature,
                       where="Bavay", radius="15", alternatives="nature")
            assert ("Désolée" in text) == (member.feminine and "Désolé" in text)
            assert not (member is FRANCK and "Désolée" in text)


def test_no_reply_cheers_a_walker_on() -> None:
    for template in VOICE["routes_found"]:
        assert "Chaussez" not in template
