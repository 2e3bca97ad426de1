"""What the family says in replies built by the actions (texts with variables).

Replies that only depend on the intent live in domain.yml as responses; those that
the actions compose with facts from the knowledge base live here, so that `rasa data
validate` sees no unused responses. Each key has one or more variants, in the voice of
the family member who fits the topic (docs/DESIGN.md §6): vouvoiement, short sentences.
"""

from __future__ import annotations

import random
from typing import Any

from bot.dialogue import french, slots
from bot.dialogue.persona import member_signed

VOICE: dict[str, tuple[str, ...]] = {
    "ask_position_label": (
        '📍 Où êtes-vous ? Partagez votre position, ou tapez le nom de votre commune.',
        '📍 Pour vous conseiller près de vous : où êtes-vous ? Partagez votre position ou écrivez votre commune.',
    ),
    "ask_interests": (
        "Qu'est-ce qui vous fait envie ? Choisissez, ou dites-le avec vos mots.",
        "Qu'aimez-vous faire ? Touchez un bouton, ou écrivez-le simplement.",
    ),
    "position_set": (
        "📍 C'est noté : je cherche près {de_position_label}.",
        '📍 Très bien, près {de_position_label}.',
    ),
    "position_unknown": (
        "Je ne trouve pas « {place} » dans notre liste des communes. 🤔 Vérifiez l'orthographe, ou partagez votre position.",
        'Hum, « {place} », je ne connais pas cette commune. 🤔 Pouvez-vous vérifier, ou partager votre position ?',
    ),
    "position_invalid": (
        "Cette position n'est pas valable ({reason}). Pouvez-vous taper le nom de votre commune ?",
        'Je ne peux pas utiliser cette position ({reason}). Écrivez plutôt le nom de votre commune.',
    ),
    "position_missing": (
        "Je n'ai pas reçu votre position. 📍 Tapez le nom de votre commune, par exemple « Bavay ».",
        "Votre position ne m'est pas parvenue. 📍 Écrivez simplement votre commune, par exemple « Le Quesnoy ».",
    ),
    "position_far": (
        'Vous semblez loin du Pays de Mormal ({position_label}). Je vous donne quand même les idées les plus proches.',
        "Vous êtes assez loin de chez nous ({position_label}). Voici tout de même ce qu'il y a de plus proche.",
    ),
    "position_outside": (
        "{speaker} : {place}, c'est en dehors de chez nous : nous connaissons surtout le Pays de Mormal. Les portes d'entrée les plus proches : {entries}. Où serez-vous ?",
        "{speaker} : Nous, c'est le Pays de Mormal ! {place} est un peu loin pour nos conseils. Pour entrer chez nous, le plus près : {entries}. Dites-moi où vous serez.",
    ),
    "kind_none": (
        "{speaker} : {Desole}, je ne connais pas de {kind} près {de_where}. À la place, voici ce qui s'en approche le plus :",
        "{speaker} : Je n'ai pas de {kind} dans ma liste près {de_where}. En remplacement, je vous propose :",
    ),
    "kind_none_at_all": (
        "{speaker} : {Desole}, je ne connais pas de {kind} près {de_where}. L'office de tourisme pourra vous renseigner.",
        "{speaker} : Je n'ai aucun {kind} dans ma liste près {de_where}. Demandez à l'office de tourisme.",
    ),
    "filter_unknown": (
        "ℹ️ Pour {what}, je n'ai pas l'information « {criteria} » : renseignez-vous avant d'y aller.",
        "ℹ️ Je ne connais pas ce critère pour {what} : {criteria}. Vérifiez auprès de l'office de tourisme.",
    ),
    "filter_none_known": (
        "ℹ️ Je ne connais aucun lieu ici qui soit sûrement {criteria} : voici les plus proches, à vérifier avant d'y aller.",
        "ℹ️ Je n'ai pas de lieu dont je sois sûre qu'il soit {criteria} : voici quand même les plus proches, renseignez-vous avant.",
    ),
    "named_place": (
        "{speaker} : « {place} » ? Voici ce que je sais.",
        "{speaker} : Ah, « {place} » ! Voici ce que j'en sais.",
    ),
    "followup": (
        "{speaker} : À propos de « {place} » :",
        "{speaker} : Pour « {place} » :",
    ),
    "followup_unknown": (
        "{speaker} : {Desole}, je n'ai pas cette information ({what}) pour « {place} ». L'office de tourisme saura vous répondre :",
        "{speaker} : Ça, je ne le sais pas pour « {place} » ({what}). Demandez à l'office de tourisme :",
    ),
    "followup_unknown_own": (
        "{speaker} : {Desole}, je n'ai pas {what} pour « {place} ». Voici ce que j'ai pour le joindre :",
        "{speaker} : Je ne connais pas {what} pour « {place} ». Pour le joindre, voici ce que j'ai :",
    ),
    "focus_missing": (
        "De quel lieu parlez-vous ? Donnez-moi son nom, ou demandez-moi d'abord des idées.",
        "Je ne sais pas de quel endroit vous parlez. Dites-moi son nom, ou cherchons ensemble.",
    ),
    "places_found_jeannine": (
        "👵 Mamie Jeannine : Près {de_where}, voici de belles pages d'histoire à découvrir.",
        '👵 Mamie Jeannine : Ah, le patrimoine ! Près {de_where}, je vous conseille ceci.',
    ),
    "places_found_franck": (
        "🌳 Franck : Près {de_where}, voici de quoi prendre l'air.",
        "🌳 Franck : Pour la nature, près {de_where}, j'irais là.",
    ),
    "places_found_sophie": (
        '🧀 Sophie : Près {de_where}, voici mes bonnes adresses.',
        '🧀 Sophie : Pour se régaler près {de_where}, voici mes idées.',
    ),
    "places_found_lea": (
        '🎈 Léa : Près {de_where}, voici mes idées de sorties !',
        '🎈 Léa : Trop bien ! Près {de_where}, vous pouvez aller ici.',
    ),
    "price_unknown": (
        "💶 Je ne connais pas les prix de ces lieux : renseignez-vous avant de venir. Voici quand même les plus proches.",
        "💶 Je n'ai pas leurs tarifs, mieux vaut demander sur place. Voici les lieux les plus proches.",
    ),
    "price_free_only": (
        "💶 Je ne connais pas les tarifs de tous les lieux, mais ceux-ci sont gratuits :",
        "💶 Les seuls prix que je connais sont « gratuit » : voici ces lieux-là.",
    ),
    "events_price_unknown": (
        "💶 Je ne connais pas de sortie gratuite à ce moment-là : voici les autres, vérifiez leur prix.",
        "💶 Je n'ai rien de gratuit dans mon agenda à ces dates ; voici ce qui a lieu, prix à vérifier.",
    ),
    "not_understood": (
        "Pardon, je n'ai pas bien compris. 🙏 Vous pouvez choisir ici :",
        "Excusez-moi, je n'ai pas compris. Pouvez-vous le dire autrement ? Ou choisissez :",
    ),
    "access_unknown": (
        "♿ Je ne sais pas si ces lieux sont accessibles {need} : {names}. Appelez avant de venir, ou demandez à l'office de tourisme.",
        "♿ Pour {names}, je ne sais pas si l'accès {need} est possible : mieux vaut téléphoner avant.",
    ),
    "events_topic_none": (
        "📅 Je ne connais pas de sortie de ce genre {period}. Voici ce qui a lieu :",
        "📅 Je n'ai rien de ce genre dans mon agenda {period} ; voici les autres sorties :",
    ),
    "hours_unknown": (
        "🕒 Je ne connais pas les horaires de ces lieux : appelez avant de venir. Voici quand même les plus proches.",
        "🕒 Je n'ai pas leurs horaires d'ouverture, mieux vaut téléphoner avant. Voici les lieux les plus proches.",
    ),
    "radius_widened": (
        "Rien tout près : j'ai cherché jusqu'à {radius} km {de_where}.",
        "Il n'y avait rien tout près : j'ai élargi jusqu'à {radius} km {de_where}.",
    ),
    "no_results": (
        "{speaker} : Je n'ai rien trouvé de ce genre à moins de {radius} km {de_where}. Près de vous, il y a aussi : {alternatives}.",
        '{speaker} : {Desole}, rien de ce type à moins de {radius} km {de_where}. Voulez-vous essayer autre chose ? Il y a : {alternatives}.',
    ),
    "no_more_results": (
        '{speaker} : Je vous ai tout montré ! Voulez-vous chercher autre chose ?',
        "{speaker} : C'est tout ce que je connais par ici. Essayons autre chose ?",
    ),
    "refined": (
        "D'accord : {changes}.",
        "C'est noté : {changes}.",
    ),
    "refine_unsupported": (
        "Pour {what}, je ne sais pas trier selon : {criteria}. Renseignez-vous auprès de l'office de tourisme.",
        "Je n'ai pas cette information pour {what} : {criteria}. L'office de tourisme pourra vous renseigner.",
    ),
    "refine_unclear": (
        "Je n'ai pas compris ce que je dois changer. Par exemple : « plus près », « pour les enfants », « accessible en fauteuil », « ouvert maintenant ».",
        "Je n'ai pas bien compris. Vous pouvez dire : « plus près », « pour les enfants », « accessible en fauteuil », « ouvert maintenant ».",
    ),
    "nothing_to_refine": (
        "Dites-moi d'abord ce que vous cherchez : un lieu, un événement ou une balade ?",
        "Que cherchez-vous d'abord : un lieu à visiter, un événement ou une balade ?",
    ),
    "events_found": (
        '🎈 Léa : Voici ce qui se passe près {de_where} — {period} !',
        "🎈 Léa : J'ai trouvé ça près {de_where} — {period}.",
    ),
    "events_found_named": (
        "🎈 Léa : D'abord {named}, avec les prochaines dates que je connais ; puis d'autres sorties près {de_where} — {period}.",
        "🎈 Léa : Voici d'abord {named} et les prochaines dates que je connais, puis ce qui se passe aussi près {de_where} — {period}.",
    ),
    "no_events": (
        "🎈 Léa : Je ne connais pas d'événement près {de_where} — {period}. Le programme complet est à l'office de tourisme.",
        "🎈 Léa : Je n'ai rien trouvé près {de_where} — {period}. L'office de tourisme a le programme complet.",
    ),
    "events_examples_warning": (
        "ℹ️ Certains de ces événements sont des exemples, en attente du vrai agenda : vérifiez auprès de l'office de tourisme avant de vous déplacer.",
        "ℹ️ Attention : certaines dates sont des exemples en attendant l'agenda officiel. Vérifiez auprès de l'office de tourisme.",
    ),
    "routes_found": (
        '🌳 Franck : Près {de_where}, voici des itinéraires pour vous.',
        '🌳 Franck : Près {de_where}, je vous propose ceci.',
    ),
    "route_named": (
        "🌳 Franck : {name}, le voici :",
        "🌳 Franck : Je connais bien {name} :",
    ),
    "routes_found_gentle": (
        '🌳 Franck : Près {de_where}, voici les itinéraires les plus doux que je connaisse.',
        '🌳 Franck : Près {de_where}, je vous propose ceci, tranquillement.',
    ),
    "no_routes": (
        "🌳 Franck : Je ne connais pas d'itinéraire comme ça près {de_where}. Voulez-vous changer de mode ou de longueur ?",
        "🌳 Franck : Je n'ai pas d'itinéraire de ce genre près {de_where}. On change de mode ou de longueur ?",
    ),
    "routes_examples_warning": (
        "ℹ️ Certains tracés sont donnés à titre d'exemple : demandez le tracé officiel à l'office de tourisme.",
        "ℹ️ Certains de ces parcours sont des exemples : le tracé officiel est à l'office de tourisme.",
    ),
    "place_info_jeannine": (
        '👵 Mamie Jeannine : Voici ce que je sais : {place}.',
        "👵 Mamie Jeannine : Je connais bien ! Voici ce que je sais : {place}.",
    ),
    "place_info_franck": (
        '🌳 Franck : Voici ce que je sais : {place}.',
        "🌳 Franck : Voici les infos que j'ai : {place}.",
    ),
    "place_info_sophie": (
        '🧀 Sophie : Voici ce que je sais : {place}.',
        "🧀 Sophie : Voici les infos que j'ai : {place}.",
    ),
    "place_info_lea": (
        '🎈 Léa : Voici ce que je sais : {place}.',
        "🎈 Léa : Voici les infos que j'ai : {place}.",
    ),
    "place_unknown": (
        "Je ne connais pas « {place} ». 🤔 Vérifiez le nom, ou demandez à l'office de tourisme.",
        "« {place} » ? Ce nom ne me dit rien. 🤔 Vérifiez l'orthographe, ou demandez à l'office de tourisme.",
    ),
    "weather_honest": (
        "🌳 Franck : Je n'ai pas la météo en direct, désolé. Regardez les prévisions de Météo-France avant de partir. S'il pleut, demandez-moi des idées à l'abri !",
        "🌳 Franck : La météo, je ne peux pas la lire d'ici. Consultez Météo-France. Et s'il pleut, j'ai des idées à l'abri !",
    ),
    "plan": (
        "🎈 Léa : Voici une idée {de_span} {a_where}, {day}. Tout vient de notre base : vérifiez les horaires avant de partir.",
        "🎈 Léa : Pour votre {span} {a_where}, {day}, je vous propose ceci. Pensez à vérifier les horaires avant de partir.",
    ),
    "plan_rain": (
        "🎈 Léa : S'il pleut, voici une {span} à l'abri {a_where}, {day}. Vérifiez les horaires avant de partir.",
    ),
    "plan_empty": (
        "🎈 Léa : {Desole}, je ne connais pas assez de lieux autour {de_where} pour composer une {span}. L'office de tourisme saura vous conseiller.",
    ),
    "plan_where": (
        "🎈 Léa : Avec plaisir ! Pour quelle commune ? Dites par exemple « une journée à Bavay », ou partagez votre position.",
    ),
    "weather_rain": (
        "🌳 Franck : Il pleut ? Voici des idées à l'abri.",
        "🌳 Franck : Quand ça drache, on se met à l'abri ! Voici des idées.",
    ),
    "transport": (
        '🧀 Sophie : Pour venir sans voiture, voici les gares et arrêts les plus proches {de_where}.',
        "🧀 Sophie : Sans voiture, c'est possible ! Voici les gares les plus proches {de_where}.",
    ),
    "transport_again": (
        "🧀 Sophie : Ce sont les mêmes gares que tout à l'heure : la plus proche reste {station} ({distance}). Pour les horaires des trains et des bus, l'office de tourisme ou le site TER Hauts-de-France vous renseigneront.",
        "🧀 Sophie : Rien de nouveau de ce côté : la gare la plus proche est toujours {station} ({distance}). Les horaires, je ne les ai pas : demandez à l'office de tourisme.",
    ),
    "transport_unknown": (
        "🧀 Sophie : Je n'ai pas les horaires des trains et des bus. L'office de tourisme et le site TER Hauts-de-France vous renseigneront.",
        "🧀 Sophie : Je ne connais pas les horaires des transports. Demandez à l'office de tourisme ou regardez le site TER Hauts-de-France.",
    ),
    "office": (
        "🧀 Sophie : Une personne de l'office de tourisme peut vous répondre. Voici comment la joindre.",
        "🧀 Sophie : Pour parler à quelqu'un, voici l'office de tourisme.",
    ),
    "office_unknown": (
        "🧀 Sophie : Adressez-vous à l'office de tourisme du Pays de Mormal. Je n'ai pas ses coordonnées ici, désolée.",
        "🧀 Sophie : Je n'ai pas les coordonnées de l'office de tourisme ici. Désolée !",
    ),
    "feedback_thanks_up": (
        '🎈 Léa : Merci ! Ça nous fait plaisir. 😊',
        '👵 Mamie Jeannine : Merci beaucoup, ça me touche !',
    ),
    "feedback_thanks_down": (
        '🎈 Léa : Merci de nous le dire. Nous allons nous améliorer. Voulez-vous autre chose ?',
        "🎈 Léa : Dommage ! Merci de nous l'avoir dit. Voulez-vous une autre idée ?",
    ),
    "feedback_thanks": (
        "Merci pour votre avis ! Il aide l'office de tourisme à s'améliorer.",
        'Merci pour votre avis, il nous aide beaucoup !',
    ),
    "affirm_nothing": (
        'Avec plaisir ! Que cherchez-vous ?',
        'Très bien ! Dites-moi ce que vous cherchez.',
    ),
}

# The position and interest choices, offered in several replies.
SHARE_POSITION = {"title": "📍 Partager ma position", "payload": "/share_location"}
TOWNS = ("Bavay", "Le Quesnoy", "Landrecies")
INTEREST_CHOICES = (
    ("🏰 Patrimoine", "patrimoine"), ("🌳 Nature", "nature"), ("🥾 Randonnée", "randonnee"),
    ("🚲 Vélo", "velo"), ("🧀 Terroir", "terroir"), ("🍽️ Restaurants", "gastronomie"),
    ("🎈 En famille", "famille"), ("🖼️ Musées", "culture"), ("✨ Un peu de tout", "tout"),
)


def location_buttons(*, share: bool = True) -> list[dict[str, str]]:
    towns = [{"title": t, "payload": slots.inform_location(t)} for t in TOWNS]
    return [SHARE_POSITION, *towns] if share else towns


def interest_buttons() -> list[dict[str, str]]:
    return [{"title": title, "payload": slots.inform_interests(key)}
            for title, key in INTEREST_CHOICES]


# Buttons that go with a reply when the action gives none.
BUTTONS: dict[str, list[dict[str, str]]] = {
    "ask_position_label": location_buttons(),
    "position_unknown": location_buttons(),
    "position_invalid": location_buttons(share=False),  # sharing just failed
    "ask_interests": interest_buttons(),
    "nothing_to_refine": [
        {"title": '🏰 Que visiter ?', "payload": '/find_places'},
        {"title": '📅 Les événements', "payload": '/find_events'},
        {"title": '🥾 Une balade', "payload": '/find_routes'},
    ],
    "no_events": [
        {"title": "☎️ L'office de tourisme", "payload": '/ask_human'},
    ],
    "not_understood": [
        {"title": '🏰 Que visiter ?', "payload": '/find_places'},
        {"title": '📅 Les événements', "payload": '/find_events'},
        {"title": '🥾 Une balade', "payload": '/find_routes'},
        {"title": "☎️ Parler à l'office", "payload": '/ask_human'},
    ],
    "weather_honest": [
        {"title": "🌧️ Idées s'il pleut", "payload": '/ask_weather{"period":"pluie"}'},
    ],
    "feedback_thanks_down": [
        {"title": '➕ Autre chose', "payload": '/request_more'},
    ],
    "affirm_nothing": [
        {"title": '🏰 Que visiter ?', "payload": '/find_places'},
        {"title": '📅 Les événements', "payload": '/find_events'},
        {"title": '🥾 Une balade', "payload": '/find_routes'},
    ],
}


class _Keep(dict[str, Any]):
    """Leaves unknown {variables} visible rather than failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def say(key: str, rng: random.Random | None = None, **variables: Any) -> str:
    """One variant of the reply `key`, with its variables filled in; `de_<name>` and
    `a_<name>` give a place variable with its preposition ("du Quesnoy", "au Quesnoy"),
    `Desole` agrees with the member who speaks ("Désolée" for Jeannine, Sophie, Léa)."""
    template = (rng or random).choice(VOICE[key])
    for name in ("where", "position_label", "place"):
        if name in variables and variables[name]:
            variables[f"de_{name}"] = french.de(str(variables[name]))
            variables[f"a_{name}"] = french.a(str(variables[name]))
    member = member_signed(variables.get("speaker"))
    variables.setdefault("Desole", member.agree("Désolé", "Désolée") if member else "Désolés")
    return template.format_map(_Keep(variables))
