"""The example's analyst's texts: a short foreword, a commentary per goal and an outlook for each
example year, in Finnish, Swedish and English (``<year>/analyst-<lang>.md``, the layout of
:mod:`hki_intl.intake.analyst`). Like :mod:`hki_intl.example`, not part of any stage's key:
the files it writes are inputs, and their texts key the stages themselves."""

from __future__ import annotations

from pathlib import Path

from hki_intl.config.params import LANGUAGES, Strategy
from hki_intl.intake.analyst import FOREWORD, OUTLOOK, analyst_path, sections

PARTS: dict[str, dict[str, str]] = {
    "fi": {
        FOREWORD: (
            "Vuosi {year} oli kansainvälisessä työssämme vakiintumisen vuosi. Toimialat ja kaupunkikonsernin "
            "yhtiöt raportoivat toimintansa samalla tavalla kuin aiempina vuosina, joten vertailu niihin "
            "on luotettavampaa kuin koskaan.\n\n"
            "Raportti kertoo, mitä teimme kunkin kolmen tavoitteen hyväksi, ja nostaa esiin kohdat, joissa "
            "toiminta ei vielä noudata painopisteiden omia sääntöjä. Kiitos kaikille, jotka täyttivät "
            "työkirjansa huolellisesti ja ajallaan.\n\n"
            "*Kansainvälisten asioiden yksikkö, kaupunginkanslia*"
        ),
        "competence": (
            "Opimme muilta kaupungeilta ennen kaikkea **EU-hankkeissa** ja verkostojen työryhmissä. "
            "Ulkoisen rahoituksen osuus on kasvanut, mutta hankkeet keskittyvät yhä muutamalle toimialalle.\n\n"
            "- Benchmarking-matkojen tulokset kannattaa kirjata nykyistä tarkemmin.\n"
            "- Kasvatuksen ja koulutuksen toimialan koulutusvienti on hyvä esimerkki osaamisen jakamisesta."
        ),
        "recognition": (
            "Helsinki näkyi kansainvälisessä mediassa erityisesti ilmastotyön, muotoilun ja kulttuurin kautta. "
            "Matkailun määrä ei ole itseisarvo: painopisteiden mukaisesti tavoittelemme laatua. "
            "Lisätietoa kaupungin matkailutilastoista: [hel.fi](https://www.hel.fi/fi/paatoksenteko-ja-hallinto)."
        ),
        "influence": (
            "Verkostoissa Helsingin ääni kuuluu parhaiten siellä, missä meillä on luottamustehtävä. "
            "Eurocities on edelleen tärkein verkostomme.\n\n"
            "### Omistajuus\n\n"
            "Jokaisella jäsenyydellä pitää olla kaupungissa selvä omistaja. Havaintojen kohdalla "
            "johtoa pyydetään nimeämään omistaja tai päättämään jäsenyys."
        ),
        OUTLOOK: (
            "Vuonna {next_year} painopisteinä ovat EU:n uusi ohjelmakausi, yhteistyö Tallinnan kanssa ja "
            "verkostojäsenyyksien arviointi. Seuraava raportti kertoo myös, miten tässä raportissa "
            "esitettyihin havaintoihin on tartuttu."
        ),
    },
    "sv": {
        FOREWORD: (
            "År {year} var ett år då vårt internationella arbete stabiliserades. Sektorerna och "
            "stadskoncernens bolag rapporterar sin verksamhet på samma sätt som tidigare år, så "
            "jämförelsen med dem är tillförlitligare än någonsin.\n\n"
            "Rapporten visar vad vi gjorde för vart och ett av de tre målen och lyfter fram var "
            "verksamheten ännu inte följer prioriteringarnas egna regler. Tack till alla som fyllde i "
            "sina arbetsböcker omsorgsfullt och i tid.\n\n"
            "*Enheten för internationella ärenden, stadskansliet*"
        ),
        "competence": (
            "Vi lär oss av andra städer framför allt i **EU-projekt** och i nätverkens arbetsgrupper. "
            "Andelen extern finansiering har ökat, men projekten är fortfarande koncentrerade till ett fåtal sektorer.\n\n"
            "- Resultaten av benchmarkingresor bör dokumenteras noggrannare.\n"
            "- Fostrans- och utbildningssektorns utbildningsexport är ett gott exempel på att dela kunnande."
        ),
        "recognition": (
            "Helsingfors syntes i internationella medier särskilt genom klimatarbete, design och kultur. "
            "Turismens volym är inget självändamål: enligt prioriteringarna eftersträvar vi kvalitet. "
            "Mer om stadens turismstatistik: [hel.fi](https://www.hel.fi/sv/beslutsfattande-och-forvaltning)."
        ),
        "influence": (
            "I nätverken hörs Helsingfors röst bäst där vi har ett förtroendeuppdrag. "
            "Eurocities är fortfarande vårt viktigaste nätverk.\n\n"
            "### Ägarskap\n\n"
            "Varje medlemskap ska ha en tydlig ägare i staden. Vid iakttagelserna ombeds ledningen "
            "utse en ägare eller avsluta medlemskapet."
        ),
        OUTLOOK: (
            "År {next_year} prioriteras EU:s nya programperiod, samarbetet med Tallinn och utvärderingen av "
            "nätverksmedlemskapen. Nästa rapport berättar också hur iakttagelserna i denna rapport har åtgärdats."
        ),
    },
    "en": {
        FOREWORD: (
            "{year} was a year in which our international work settled. The divisions and the city's "
            "companies report their activities in the same way as in earlier years, so the comparison "
            "with them is more reliable than ever.\n\n"
            "The report shows what we did for each of the three goals and points out where our work does "
            "not yet follow the priorities' own rules. Thank you to everyone who filled in their workbook "
            "carefully and on time.\n\n"
            "*International Affairs, City Executive Office*"
        ),
        "competence": (
            "We learn from other cities above all in **EU projects** and in the networks' working groups. "
            "The share of external funding has grown, but the projects are still concentrated in a few divisions.\n\n"
            "- The results of benchmarking visits should be recorded more carefully.\n"
            "- The Education Division's education export is a good example of sharing what we know."
        ),
        "recognition": (
            "Helsinki was seen in international media above all through climate work, design and culture. "
            "The volume of tourism is not a goal in itself: as the priorities say, we seek quality. "
            "More on the city's tourism statistics: [hel.fi](https://www.hel.fi/en/decision-making)."
        ),
        "influence": (
            "In the networks, Helsinki's voice is heard best where we hold a position of trust. "
            "Eurocities remains our most important network.\n\n"
            "### Ownership\n\n"
            "Every membership must have a clear owner in the city. Where the findings show otherwise, "
            "leadership is asked to name an owner or end the membership."
        ),
        OUTLOOK: (
            "In {next_year} the priorities are the EU's new programme period, cooperation with Tallinn and "
            "the review of network memberships. The next report will also say how the findings of this "
            "report were acted on."
        ),
    },
}


def analyst_texts(strategy: Strategy, year: int, lang: str) -> str:
    """The example's analyst's file for ``year`` in ``lang`` (parts of goals it has no text for
    are left out, as an analyst may)."""
    words = PARTS[lang]
    lines = []
    for name in sections(strategy):
        if name in words:
            lines += [f"## {name}", "", words[name].format(year=year, next_year=year + 1), ""]
    return "\n".join(lines)


def analyst_files(strategy: Strategy, years: list[int], out_dir: Path) -> list[tuple[Path, bytes]]:
    """(path, bytes) of every example analyst's file: each year, each language."""
    return [
        (analyst_path(out_dir, year, lang), analyst_texts(strategy, year, lang).encode("utf-8"))
        for year in years
        for lang in LANGUAGES
    ]
