"""[pages] The public job site: the landing page, the offer list (search, filters with counts, the
featured section, pagination, French and English), the Atom feed and the sitemap, through the
offers app's pages with offers published through the state machine (pages_testkit)."""

from __future__ import annotations

import html
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree as ET

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from offers_fakes import complete_config, complete_content
from pages_testkit import GROUP, OTHER_GROUP, OUTSIDER, PEOPLE, T0, make_site, token
from sqlalchemy import insert

from offers.adapters.orm import company_brandings
from offers.domain.offer import Workplace
from offers.service_layer import commands as c

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PUBLIC = "http://127.0.0.1:8080"
STAFF = c.Caller(str(uuid.UUID(int=900)), "staff", token(str(uuid.UUID(int=900)), "staff"))
PACKAGE = Path(__file__).resolve().parents[1] / "src" / "offers"


class JobSite:
    """The site with two companies: Génivert (GROUP, a logo) and Hydro-Test (OTHER_GROUP)."""

    def __init__(self, tmp_path: Path) -> None:
        self.site = make_site(tmp_path)
        self.site.bundle.extras["pages"].config["PUBLIC_URL"] = PUBLIC
        with self.site.bundle.runtime.engine.begin() as connection:
            connection.execute(
                insert(company_brandings).values(
                    group_id=OTHER_GROUP,
                    company_id=OTHER_GROUP,
                    group_name="Autre",
                    company_name="Hydro-Test",
                    logo_url=None,
                    changed_at=T0,
                )
            )
        for group in (GROUP, OTHER_GROUP):
            for credit in ("ing", "cpi", "vedette"):
                self.site.bank.grant(group, credit, 60)

    def publish(
        self, title: str, group: str = GROUP, profile: str = "ing", featured: bool = False, **content: Any
    ) -> str:
        account = PEOPLE["principal"] if group == GROUP else OUTSIDER
        caller = c.Caller(account, "employer", token(account))
        draft = c.CreateDraft(
            group, profile, caller, complete_content(title_fr=title, **content), complete_config(featured=featured)
        )
        offer_id = self.site.bus.handle(draft).id
        self.site.bus.handle(c.SubmitOffer(offer_id, caller))
        self.site.bus.handle(c.ApproveOffer(offer_id, STAFF))
        self.site.clock.advance(minutes=5)  # each offer newer than the last
        return offer_id

    def get(self, path: str, lang: str | None = None, **headers: str) -> Any:
        self.site.language(lang)
        return self.site.client.get(path, headers=headers)


@pytest.fixture()
def jobsite(tmp_path: Path) -> JobSite:
    return JobSite(tmp_path)


@pytest.fixture()
def offers(jobsite: JobSite) -> dict[str, str]:
    """Three online offers (one featured), one ended, one draft."""
    found = {
        "civil": jobsite.publish(
            "Ingénieure civile en structures",
            title_en="Civil structural engineer",
            engineering_domains=("civil", "structures"),
        ),
        "electric": jobsite.publish(
            "Ingénieur électrique",
            group=OTHER_GROUP,
            profile="cpi",
            title_en="",
            engineering_domains=("electrique",),
            employment_type="temporaire",
            work_formula="presentiel",
            workplace=Workplace("places", places=("03",)),
        ),
        "software": jobsite.publish(
            "Développeuse logicielle",
            featured=True,
            title_en="Software developer",
            engineering_domains=("logiciel",),
            work_formula="teletravail",
            years_on_roll="3-5",
            workplace=Workplace("outside_quebec"),
        ),
        "ended": jobsite.publish("Offre terminée plus tôt"),
    }
    caller = c.Caller(PEOPLE["principal"], "employer", token(PEOPLE["principal"]))
    jobsite.site.bus.handle(c.EndPublication(found["ended"], caller))
    found["draft"] = jobsite.site.draft(content_changes={"title_fr": "Brouillon jamais publié"})
    return found


# Reading a page ---------------------------------------------------------------------------------------
def hit_titles(html: str, list_id: str = "job-hits") -> list[str]:
    block = re.search(rf'<ol class="job-hits" id="{list_id}"[^>]*>(.*?)</ol>', html, re.S)
    return re.findall(r'class="job-hit-title"><a href="[^"]+">([^<]+)</a>', block.group(1)) if block else []


def facet_options(html: str) -> dict[str, dict[str, tuple[str, int, bool]]]:
    """facet → code → (label, count, checked)."""
    found: dict[str, dict[str, tuple[str, int, bool]]] = {}
    for name, code, checked, label, count in re.findall(
        r'<input type="checkbox" id="[^"]+" name="(\w+)" value="([^"]+)" form="job-search"( checked)?>\s*'
        r'<span class="job-facet-label">([^<]*)</span>\s*<span class="job-facet-count">(\d+)<span',
        html,
    ):
        found.setdefault(name, {})[code] = (label, int(count), bool(checked))
    return found


def query_of(href: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(href.replace("&amp;", "&")).query)


# The list ----------------------------------------------------------------------------------------------
def test_the_list_shows_the_offers_online_now_newest_first_and_the_featured_ones_apart(jobsite, offers):
    page = jobsite.get("/emplois/")
    assert page.status_code == 200
    assert hit_titles(page.text) == [
        "Développeuse logicielle",
        "Ingénieur électrique",
        "Ingénieure civile en structures",
    ]
    assert hit_titles(page.text, "featured-hits") == ["Développeuse logicielle"]
    assert "Offre terminée" not in page.text and "Brouillon" not in page.text
    assert ">3 offres<" in page.text and "Les plus récentes d'abord" in page.text
    assert f'href="/emplois/{offers["civil"]}"' in page.text
    # Each hit: the logo, the company, the place, the profile, the type, the formula, the dates.
    civil = page.text[page.text.index("Ingénieure civile en structures") - 700 :]
    assert 'src="https://cdn.example-test.ca/logo.png"' in civil and "Génivert inc." in civil
    for fact in ("Montréal", "Ingénieur·e", "Permanent", "Hybride", "Publiée le", "31 décembre 2026"):
        assert fact in civil[:2500], fact
    assert "Capitale-Nationale" in page.text and "CPI" in page.text and "Hors Québec" in page.text
    assert '<link rel="alternate" type="application/atom+xml"' in page.text
    assert page.headers["Cache-Control"] == "public, s-maxage=5"


def test_filters_narrow_the_list_and_count_each_value_with_the_other_filters(jobsite, offers):
    everything = facet_options(jobsite.get("/emplois/").text)
    assert everything["region"] == {"03": ("Capitale-Nationale", 1, False), "06": ("Montréal", 1, False)}
    assert everything["profil"] == {"ing": ("Ingénieur·e", 2, False), "cpi": ("CPI", 1, False)}
    assert everything["entreprise"] == {GROUP: ("Génivert inc.", 2, False), OTHER_GROUP: ("Hydro-Test", 1, False)}
    assert everything["formule"]["teletravail"] == ("Télétravail", 1, False)

    page = jobsite.get("/emplois/?region=06&domaine=civil")
    assert hit_titles(page.text) == ["Ingénieure civile en structures"]
    assert 'id="featured-hits"' not in page.text  # the featured section is for the unfiltered list
    options = facet_options(page.text)
    # Disjunctive: the other region still shows its count (with the domain filter: none, so left out).
    assert options["region"] == {"06": ("Montréal", 1, True)}
    assert options["domaine"]["civil"] == ("Génie civil", 1, True)
    assert options["domaine"]["structures"][2] is False

    two_regions = jobsite.get("/emplois/?region=06&region=03")
    assert sorted(hit_titles(two_regions.text)) == ["Ingénieur électrique", "Ingénieure civile en structures"]
    by_company = jobsite.get(f"/emplois/?entreprise={OTHER_GROUP}")
    assert hit_titles(by_company.text) == ["Ingénieur électrique"]


def test_each_active_filter_has_a_link_that_removes_it_and_keeps_the_rest(jobsite, offers):
    page = jobsite.get("/emplois/?q=ingenieur&region=06&type=permanent")
    removes = re.findall(r'<a href="([^"]+)" class="active-filter">\s*<span>([^<]+)</span>', page.text)
    by_label = {html.unescape(label): query_of(href) for href, label in removes}
    assert by_label["Région : Montréal"] == [("q", "ingenieur"), ("type", "permanent")]
    assert by_label["Type d'emploi : Permanent"] == [("q", "ingenieur"), ("region", "06")]
    assert by_label["Recherche : ingenieur"] == [("region", "06"), ("type", "permanent")]
    assert 'href="/emplois/" id="clear-filters"' in page.text


def test_a_search_with_no_result_says_so_with_a_way_back(jobsite, offers):
    page = jobsite.get("/emplois/?q=astronaute&formule=teletravail")
    assert page.status_code == 200 and hit_titles(page.text) == []
    assert "Aucune offre ne correspond à votre recherche" in page.text
    assert re.search(r'id="no-results".*href="/emplois/"', page.text, re.S)


def test_the_text_search_finds_french_words_without_accents(jobsite, offers):
    page = jobsite.get("/emplois/?q=ingenieure+civile")
    assert hit_titles(page.text) == ["Ingénieure civile en structures"]
    assert 'value="ingenieure civile"' in page.text  # the box keeps what was typed


def test_pagination_links_keep_the_whole_search(jobsite, offers):
    for n in range(45):
        jobsite.publish(f"Ingénieur·e de projet {n:02d}", engineering_domains=("civil",))
    first = jobsite.get("/emplois/?domaine=civil&q=projet")
    assert ">45 offres<" in first.text and len(hit_titles(first.text)) == 20
    nav = re.search(r'<nav class="pagination"[^>]*>(.*?)</nav>', first.text, re.S).group(1)
    links = re.findall(r'<a href="([^"]+)"( aria-current="page")?( rel="(?:prev|next)")?', nav)
    assert [query_of(h) for h, *_ in links if "page=3" in h] == [[("q", "projet"), ("domaine", "civil"), ("page", "3")]]
    assert [h for h, current, _r in links if current] == ["/emplois/?q=projet&amp;domaine=civil"]
    assert 'rel="next"' in nav and 'rel="prev"' not in nav
    third = jobsite.get("/emplois/?q=projet&domaine=civil&page=3")
    assert hit_titles(third.text) == [f"Ingénieur·e de projet {n:02d}" for n in range(4, -1, -1)]
    nav = re.search(r'<nav class="pagination"[^>]*>(.*?)</nav>', third.text, re.S).group(1)
    assert re.search(r'href="/emplois/\?q=projet&amp;domaine=civil&amp;page=3" aria-current="page"', nav)
    assert 'rel="prev"' in nav and 'rel="next"' not in nav
    past_the_end = jobsite.get("/emplois/?q=projet&domaine=civil&page=9")
    assert past_the_end.status_code == 200 and "Cette page de résultats est vide" in past_the_end.text
    assert 'href="/emplois/?q=projet&amp;domaine=civil"' in past_the_end.text


def test_the_list_in_english(jobsite, offers):
    page = jobsite.get("/emplois/", lang="en")
    assert 'lang="en"' in page.text
    assert hit_titles(page.text) == ["Software developer", "Ingénieur électrique", "Civil structural engineer"]
    for english in (
        "Job offers",
        "Featured",
        "Engineering field",
        "Region",
        "Remote",
        "Hybrid",
        "Temporary",
        "Outside Québec",
        "Newest first",
        "Apply by",
        "December 31, 2026",
    ):
        assert english in page.text, english
    assert "Montreal" in facet_options(page.text)["region"]["06"][0]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("page=abc", 3),  # page 1
        ("page=-3", 3),
        ("page=99999999999999999999", 0),  # page 500: past the end, « Première page »
        ("region=99&domaine=nope&profil=x&type=&formule=%00&experience=999", 3),  # unknown codes dropped
        ("entreprise=" + "a" * 5000, 3),
        ("q=" + "é" * 10_000, 0),  # cut to 200 characters
        ("q=%3Cscript%3Ealert(1)%3C/script%3E", 0),
        ("page=1&page=2", 3),
    ],
)
def test_bad_parameters_get_a_sane_page_never_an_error(jobsite, offers, query, found):
    page = jobsite.get(f"/emplois/?{query}")
    assert page.status_code == 200 and len(hit_titles(page.text)) == found
    assert "<script>alert" not in page.text
    box = re.search(r'<input type="search" id="job-search-q" name="q" value="([^"]*)"', page.text)
    assert box is None or len(html.unescape(box.group(1))) <= 200
    assert "a" * 37 not in page.text.split("</header>", 1)[1]  # not a company id: dropped
    feed = jobsite.get(f"/emplois/flux.atom?{query}")
    assert feed.status_code == 200
    ET.fromstring(feed.data)


def test_signed_in_visitors_get_their_own_page(jobsite, offers):
    page = jobsite.site.get("/emplois/")  # with the gateway's bearer and CSRF tokens
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"


# The landing page -------------------------------------------------------------------------------------
def test_the_landing_page_has_the_search_box_the_featured_and_the_newest_offers(jobsite, offers):
    for n in range(4):
        jobsite.publish(f"Chargé·e de projet {n}")
    page = jobsite.get("/")
    assert page.status_code == 200
    assert re.search(r'<form role="search" method="get" action="/emplois/"[^>]*>', page.text)
    assert 'name="q"' in page.text
    assert hit_titles(page.text, "featured-hits") == ["Développeuse logicielle"]
    assert hit_titles(page.text, "newest-hits") == [
        "Chargé·e de projet 3",
        "Chargé·e de projet 2",
        "Chargé·e de projet 1",
        "Chargé·e de projet 0",
        "Développeuse logicielle",
    ]
    assert "Voir les 7 offres d'emploi" in page.text
    assert 'href="/compte/inscription/membre"' in page.text and 'href="/compte/inscription"' in page.text
    assert page.headers["Cache-Control"] == "public, s-maxage=5"


def test_the_landing_page_without_offers(jobsite):
    page = jobsite.get("/", lang="en")
    assert page.status_code == 200 and "No job offer published yet" in page.text
    assert 'id="featured-hits"' not in page.text


# Feeds ---------------------------------------------------------------------------------------------------
def test_the_atom_feed_lists_the_newest_online_offers_of_the_search(jobsite, offers):
    response = jobsite.get("/emplois/flux.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == f"{PUBLIC}/emplois/flux.atom"
    assert feed.findtext(f"{ATOM}title")
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"{PUBLIC}/emplois/flux.atom"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Développeuse logicielle",
        "Ingénieur électrique",
        "Ingénieure civile en structures",
    ]
    assert feed.findtext(f"{ATOM}updated") == entries[0].findtext(f"{ATOM}updated")
    first = entries[0]
    assert first.findtext(f"{ATOM}id") == f"urn:uuid:{offers['software']}"
    assert first.find(f"{ATOM}link").get("href") == f"{PUBLIC}/emplois/{offers['software']}"
    assert first.findtext(f"{ATOM}published") and first.findtext(f"{ATOM}updated")
    assert first.findtext(f"{ATOM}author/{ATOM}name") == "Génivert inc."
    assert "Télétravail" in first.findtext(f"{ATOM}summary")
    assert response.headers["Cache-Control"] == "public, s-maxage=5"

    filtered = ET.fromstring(jobsite.get("/emplois/flux.atom?region=03").data)
    assert [e.findtext(f"{ATOM}title") for e in filtered.findall(f"{ATOM}entry")] == ["Ingénieur électrique"]
    assert filtered.find(f"{ATOM}link[@rel='self']").get("href") == f"{PUBLIC}/emplois/flux.atom?region=03"
    english = ET.fromstring(jobsite.get("/emplois/flux.atom", lang="en").data)
    assert english.findall(f"{ATOM}entry")[0].findtext(f"{ATOM}title") == "Software developer"


def test_the_list_page_points_to_the_feed_of_its_search(jobsite, offers):
    page = jobsite.get("/emplois/?region=06&page=1")
    assert re.search(
        r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="/emplois/flux.atom\?region=06">',
        page.text,
    )


def test_the_sitemap_lists_every_online_offer_page_only(jobsite, offers, monkeypatch):
    from offers.entrypoints import web_feeds

    monkeypatch.setattr(web_feeds, "SITEMAP_PAGE", 2)  # several keyset pages
    response = jobsite.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    urlset = ET.fromstring(response.data)
    locs = sorted(u.findtext(f"{SITEMAP}loc") for u in urlset.findall(f"{SITEMAP}url"))
    assert locs == sorted(f"{PUBLIC}/emplois/{offers[k]}" for k in ("civil", "electric", "software"))
    assert all(u.findtext(f"{SITEMAP}lastmod") == "2026-11-02" for u in urlset.findall(f"{SITEMAP}url"))
    monkeypatch.setattr(web_feeds, "SITEMAP_CAP", 2)
    assert len(ET.fromstring(jobsite.get("/sitemap.xml").data)) == 2


# Translations ------------------------------------------------------------------------------------------
def test_every_string_of_the_job_site_has_its_english_translation():
    found: set[str] = set()
    for name in ("landing.html", "jobs.html", "jobsite.html"):
        found |= {
            m for _l, m, _c, _x in extract_from_file("jinja2", str(PACKAGE / "templates" / name), keywords={"_": None})
        }
    for name in ("web.py", "web_feeds.py"):
        found |= {
            m
            for _l, m, _c, _x in extract_from_file("python", str(PACKAGE / "entrypoints" / name), keywords={"_": None})
        }
    with (PACKAGE / "translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        translated = {m.id: m.string for m in read_po(handle) if m.id}
    assert "En vedette" in found
    assert sorted(m for m in found if not translated.get(m)) == []


def test_the_company_filter_lists_the_companies_with_the_most_offers_and_the_chosen_ones():
    from offers.entrypoints.web import COMPANY_OPTIONS, shown_companies

    counts = {f"c{n:03d}": n for n in range(1, 60)}
    shown = shown_companies(counts, ("c001", "c058"))
    assert shown[:3] == ["c059", "c058", "c057"] and len(shown) == COMPANY_OPTIONS + 1
    assert shown[-1] == "c001"  # chosen, with a single offer: still listed (checked)
