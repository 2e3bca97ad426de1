"""Issue 16: a contact the base lacks is said so, with the website in its place
(the tourist office has a website, no phone and no address in any source of the repo)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import Session

from bot.dialogue.followups import Focus, answer
from bot.dialogue.position import Position
from bot.dialogue.recommend import place_info, tourist_office
from bot.dialogue.search import followup_replies
from knowledge.gazetteer import Gazetteer
from knowledge.models import Poi

NOW = datetime(2027, 6, 14, 10, tzinfo=timezone.utc)
OFFICE = "le-quesnoy-office-de-tourisme"
FORUM = "bavay-forum-antique"
HERE = Position(50.2479, 3.6370, "Le Quesnoy")


def test_the_base_holds_no_phone_nor_address_for_the_office(db: Session) -> None:
    office = db.get(Poi, OFFICE)
    assert office.phone is None and office.address is None and office.website


def test_place_info_gives_the_site_for_a_missing_phone_or_address(db: Session) -> None:
    office = db.get(Poi, OFFICE)
    for asked in ("telephone", "adresse"):
        [reply] = place_info(db, "", asked, HERE, NOW, poi_id=OFFICE)
        assert office.website in reply.text, asked
        assert reply.custom["items"][0]["url"] == office.website
    # a phone that is known: no site instead of it
    forum = db.get(Poi, FORUM)
    assert forum.phone
    [reply] = place_info(db, "", "telephone", HERE, NOW, poi_id=FORUM)
    assert forum.phone in reply.text and "Site :" not in reply.text


def test_the_office_s_missing_phone_answered_with_its_own_contacts(db: Session) -> None:
    office = db.get(Poi, OFFICE)
    got = answer(db, Focus("places", [OFFICE], OFFICE), OFFICE, "phone", "et le numéro ?",
                 HERE, NOW)
    assert got is not None and got.missing == "phone" and got.own_contacts
    assert got.office == [f"🌐 {office.website}"]
    # another place missing a fact still sends to the office
    other = answer(db, Focus("places", [FORUM], FORUM), FORUM, "pets", "", HERE, NOW)
    assert other is not None and not other.own_contacts and "Office" in other.office[0]


def test_the_address_asked_is_said_unknown(db: Session) -> None:
    focus = Focus("places", [OFFICE], OFFICE)
    replies, _ = followup_replies(db, focus, "c'est quoi l'adresse ?", HERE, NOW)
    assert [r.response for r in replies] == ["followup", "followup_unknown_own"]
    assert replies[1].variables["what"] == "l'adresse exacte" and not replies[1].buttons
    # "comment j'y vais ?" is answered by the commune and the map, nothing said missing
    replies, _ = followup_replies(db, focus, "comment j'y vais ?", HERE, NOW)
    assert [r.response for r in replies] == ["followup"]


def test_contact_office_says_what_it_lacks(db: Session) -> None:
    reply = tourist_office(db, Gazetteer.from_session(db))
    assert reply.response == "office"
    by_id = {i["id"]: i for i in reply.custom["items"]}
    assert by_id[OFFICE]["phone"] is None
    block = next(b for b in reply.text.split("\n\n") if db.get(Poi, OFFICE).name in b)
    assert "Je n'ai ni" in block and by_id[OFFICE]["url"] in block


def test_a_market_without_hours_gives_its_next_dates(db: Session) -> None:
    """'Le marché du Quesnoy c'est quel jour ?': the place has no hours, its weekly event
    has dates (an example event: said so)."""
    market = db.get(Poi, "le-quesnoy-marche")
    assert market is not None and not market.opening_hours
    now = datetime.now(timezone.utc)
    [reply] = place_info(db, "", "horaires", HERE, now, poi_id="le-quesnoy-marche")
    assert "Prochaines dates : vendredi" in reply.text and "je ne les connais pas" not in reply.text
    assert "d'exemple" in reply.text
    # a place with neither hours nor events still says the hours are unknown
    [reply] = place_info(db, "", "horaires", HERE, now, poi_id=OFFICE)
    assert "je ne les connais pas" in reply.text and "Prochaines dates" not in reply.text
