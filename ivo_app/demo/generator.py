"""A synthetic facility: realistic French identities, injected anomalies, duplicates, ground truth.

Identities are generated in small clusters (a person, and sometimes a duplicate of that person, a
twin, a homonym, a child), so that the truth of every rule that compares records is known before the
cluster is written. Across clusters, coincidences are prevented (homonym keys and matricules are
unique), so the truth stays exact on a million records while memory stays flat.

Truth per record: the person behind it (`person_key`: same key = same person), the rule IDs that MUST
fire on it (`anomalies`), and the kind of duplicate error or hard negative (`kind`). A person key is
`P<cluster>.<n>`: the people of one cluster (twins, a parent and a child) share its prefix, so the
two records of a hard negative can be paired again without relying on their IPPs.

What a trainee must not be able to use, the generator does not give away:
- IPPs are a keyed permutation of the record number (`_IppPermutation`): the two records of a pair are
  not consecutive, and their difference is not a constant either.
- statuses are drawn the same way for every record of every cluster (duplicates, look-alikes, single
  persons): a status says nothing of a pair's truth. The duplicate error is chosen after the status
  (an error that would break the matricule's coherence only goes to a record without one).
- matricules cannot be a real person's INS: every matricule carries the OID of the demonstration
  patients (1.2.250.1.213.1.4.11, `OID_INS_NIR_DEMO`), which the INSi teleservice and every production
  table refuse; the demo facility disables INS-OID-TEST, the rule that would report it (a rule
  setting of the demo facility), and a demo record typed into a production base is reported critical there.
- injected errors are those admission desks make (a digit for a letter, a used name in brackets,
  first names separated by commas), in several variants, Corsica and overseas included.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from ivo_app.demo.names import decade_of, first_names, surnames
from ivo_app.rules import nir
from ivo_app.rules.cog import CogReference
from ivo_app.rules.normalize import normalize_name
from ivo_app.rules.record import OID_INS_NIR_DEMO, OID_NSS_NIR

OCCITANIE = ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82")
COUNTRIES = ("99350", "99352", "99351", "99139", "99134", "99127", "99109", "99131", "99132", "99127",
             "99100", "99336", "99341", "99223", "99243")  # fmt: skip
# Paper high-trust documents only. FR Core 2.x lists "AV" (application carte Vitale) among its
# validation modes (fr-core-cs-mode-validation-identity), and the rules accept it; whether a desk may
# qualify on it is debated (a carte Vitale itself proves nothing), so exercises never rest on it.
DOCUMENTS = (("CN", 60), ("PA", 20), ("CS", 15), ("IE", 5))
STATUSES = (("QUAL", 45), ("RECUP", 15), ("VALI", 15), ("PROV", 25))
INS_STATUSES = ("RECUP", "QUAL")
# Duplicate errors that change a trait the matricule encodes (date, sex) or that QUAL requires (place):
# only on a record that carries no matricule.
NIR_BREAKING_KINDS = frozenset({"jour_mois_inverses", "chiffre_date", "sexe_manquant", "lieu_manquant"})
CORSICA = ("2A004", "2A247", "2B033", "2B096")  # Ajaccio, Porto-Vecchio, Bastia, Corte
OVERSEAS = ("97101", "97209", "97302", "97411")  # Les Abymes, Fort-de-France, Cayenne, Saint-Denis

# Duplicate errors as admission desks make them, and hard non-duplicates.
DUPLICATE_KINDS = (
    "doublon_exact", "faute_nom", "nom_usage_en_naissance", "nom_prenom_inverses", "premier_prenom_seul",
    "prenom_compose_tronque", "jour_mois_inverses", "chiffre_date", "phonetique", "tiret_manquant",
    "diacritiques", "sexe_manquant", "lieu_manquant",
)  # fmt: skip
HARD_NEGATIVES = ("jumeaux", "homonymes", "parent_enfant", "enfant_nir_parent")


@dataclass
class DemoConfig:
    size: int = 2_000
    seed: int = 1
    reference_date: date = field(default_factory=date.today)
    anomaly_rate: float = 0.004  # per rule, per generated person
    duplicate_rate: float = 0.05
    hard_negative_rate: float = 0.02


@dataclass
class Person:
    """The truth about one human being."""

    key: str
    sex: str
    birth_name: str
    first_names: list[str]
    birth: date
    birthplace: str
    matricule: str
    used_name: str | None = None
    used_first_name: str | None = None


@dataclass
class DemoRecord:
    ipp: str
    fields: dict[str, str]
    person_key: str
    anomalies: set[str] = field(default_factory=set)
    kind: str | None = None


class _IppPermutation:
    """Record number → a 7-digit IPP, a bijection keyed by the seed (a 4-round Feistel network on 24
    bits, cycle-walked into 1,000,000-9,999,999): spread, unique, computed in constant memory."""

    SPAN = 9_000_000

    def __init__(self, seed: int) -> None:
        keyer = random.Random(f"ipp-{seed}")
        self.keys = [keyer.getrandbits(32) for _ in range(4)]

    def _round(self, x: int) -> int:
        left, right = x >> 12, x & 0xFFF
        for key in self.keys:
            left, right = right, left ^ (((right * 0x9E3779B1) ^ key) >> 7 & 0xFFF)
        return (left << 12) | right

    def __call__(self, n: int) -> str:
        if n >= self.SPAN:
            raise ValueError("a demo facility holds at most 9,000,000 identities")
        x = self._round(n)
        while x >= self.SPAN:
            x = self._round(x)
        return str(1_000_000 + x)


class Generator:
    def __init__(self, config: DemoConfig, cog: CogReference) -> None:
        self.config = config
        self.rnd = random.Random(config.seed)
        self.today = config.reference_date
        self.ipps = _IppPermutation(config.seed)
        self.record_count = 0
        self.cluster = 0
        self.next_person = 0
        self.homonym_keys: set[int] = set()
        self.matricules: set[str] = set()
        self._places(cog)
        self.anomalies = self._anomaly_injectors()
        self.copies_needed = max(10, int(0.015 * config.size) + 1) if config.size >= 200 else 0

    # Places -----------------------------------------------------------------------------------
    def _places(self, cog: CogReference) -> None:
        communes = [c for c in cog.communes() if c.kind == "current" and c.population > 0]
        arrondissements = [c for c in cog.communes() if c.kind == "arrondissement"]
        cities = {"75056": "751", "69123": "6938", "13055": "132"}
        self.arrondissements = {
            city: [a.code for a in arrondissements if a.code.startswith(prefix)]
            for city, prefix in cities.items()
        }
        weights = [c.population * (25 if c.code[:2] in OCCITANIE else 1) for c in communes]
        self.commune_codes = [c.code for c in communes]
        self.commune_weights = list(_accumulate(weights))
        self.countries = [c for c in COUNTRIES if cog.country(c) is not None] or ["99350"]
        self.code_at = cog.code_at  # the code of a commune at the birth date (1968, 1976, 2007, 2011)
        self.valid_at = cog.is_known_commune
        self.unknown_codes = [f"{dep}{n}" for dep in OCCITANIE for n in ("998", "999", "997")
                              if not cog.is_known_commune(f"{dep}{n}")]  # fmt: skip

    def _birthplace(self, birth: date) -> str:
        rnd = self.rnd
        if rnd.random() < 0.08:
            country = rnd.choice(self.countries)
            # 99100 is France, never a birthplace (TRAIT-LIEU-COG): the next country of the list then
            # (no other draw, so a seed gives the same facility as before).
            return (
                country
                if country != "99100"
                else self.countries[(self.countries.index(country) + 1) % len(self.countries)]
            )
        index = _bisect(self.commune_weights, rnd.random() * self.commune_weights[-1])
        code = self.commune_codes[index]
        if code in self.arrondissements:
            code = rnd.choice(self.arrondissements[code])  # births are registered by arrondissement
        code = self.code_at(code, birth)
        # A commune created after the birth (Les Ulis, 1977): the next one of the list that existed.
        for step in range(1, 50):
            if self.valid_at(code, birth):
                break
            code = self.code_at(self.commune_codes[(index + step) % len(self.commune_codes)], birth)
        return code

    # People ------------------------------------------------------------------------------------
    def _birth_date(self) -> date:
        rnd = self.rnd
        while True:
            age = min(104, int(abs(rnd.gauss(45, 25))))
            birth = self.today - timedelta(days=age * 365 + rnd.randint(0, 364))
            if (birth.day, birth.month) not in ((1, 1), (31, 12)):  # those look completed: anomalies only
                return birth

    def _first_names(self, sex: str, year: int, count: int) -> list[str]:
        table = first_names(sex, decade_of(year))
        names: list[str] = []
        while len(names) < count:
            name = table.draw(self.rnd)
            if name not in names:
                names.append(name)
        return names

    def _nir(self, sex: str, birth: date, place: str) -> str:
        dep = place[:3] if place[:2] in ("97", "98") else place[:2]
        body = place[len(dep) :]
        prefix = f"{1 if sex == 'M' else 2}{birth.year % 100:02d}{birth.month:02d}{dep}{body}"
        # Random order numbers first; when they keep colliding, the free ones in order: a place,
        # month and sex have only 999 of them.
        tries = itertools.chain((self.rnd.randint(1, 999) for _ in range(200)), range(1, 1000))
        for order in tries:
            first13 = f"{prefix}{order:03d}"
            number = first13 + nir.compute_key(first13)
            if number not in self.matricules:
                self.matricules.add(number)
                return number
        raise _NoRoom

    def person(self, **fixed: object) -> Person:
        rnd = self.rnd
        sex = str(fixed.get("sex") or rnd.choice("MF"))
        birth = fixed.get("birth") or self._birth_date()
        assert isinstance(birth, date)
        place = self.code_at(str(fixed.get("birthplace") or self._birthplace(birth)), birth)
        birth_name = str(fixed.get("birth_name") or surnames(decade_of(birth.year)).draw(rnd))
        names = fixed.get("first_names") or self._first_names(sex, birth.year, rnd.choice((1, 1, 2, 2, 2, 3)))
        assert isinstance(names, list)
        self.next_person += 1
        person = Person(
            f"P{self.cluster:07d}.{self.next_person}",
            sex,
            birth_name,
            names,
            birth,
            place,
            self._nir(sex, birth, place),
        )
        if sex == "F" and birth.year <= self.today.year - 22 and rnd.random() < 0.45:
            while (used := surnames(decade_of(birth.year)).draw(rnd)) == birth_name:
                pass
            person.used_name = used
        if rnd.random() < 0.06:  # called by another first name (the second one, or a short form)
            person.used_first_name = names[1] if len(names) > 1 else names[0].split("-")[0]
            if normalize_name(person.used_first_name) == normalize_name(names[0]):
                person.used_first_name = None
        return person

    def _new_cluster(self) -> None:
        """Person keys of the next cluster share its number (see the module's docstring)."""
        self.cluster += 1
        self.next_person = 0

    def _other_birthplace(self, p: Person) -> str:
        """A birthplace other than p's: perfect homonyms born in the same commune on the same day,
        without a matricule, would be indistinguishable on every trait, for a trainee as for the matcher."""
        while (place := self._birthplace(p.birth)) == p.birthplace:
            pass
        return place

    def _claim_homonym_key(self, p: Person) -> bool:
        key = hash((normalize_name(p.birth_name), normalize_name(p.first_names[0]), p.birth, p.sex))
        if key in self.homonym_keys:
            return False
        self.homonym_keys.add(key)
        return True

    def fresh_person(self, **fixed: object) -> Person:
        """A person no other record of the facility could be mistaken for (by the rules' keys).
        Raises _NoRoom when the fixed traits leave no such person (an identical key is taken)."""
        for _ in range(100):
            p = self.person(**fixed)
            if self._claim_homonym_key(p):
                return p
        raise _NoRoom

    # Records -----------------------------------------------------------------------------------
    def record(self, p: Person, status: str | None = None, kind: str | None = None) -> DemoRecord:
        rnd = self.rnd
        status = status or _weighted(rnd, STATUSES)
        insi = status in INS_STATUSES
        fields = {
            "nom_naissance": p.birth_name,
            "prenoms_naissance": " ".join(p.first_names),
            "premier_prenom": p.first_names[0],
            "nom_utilise": p.used_name or "",
            "prenom_utilise": p.used_first_name or "",
            "date_naissance": p.birth.strftime("%d/%m/%Y"),
            "sexe": p.sex,
            "lieu_naissance": p.birthplace,
            "matricule_ins": p.matricule if insi else "",
            "oid_ins": OID_INS_NIR_DEMO if insi else "",
            "statut": status,
            "attributs": "",
            "justificatif": _weighted(rnd, DOCUMENTS) if status in ("VALI", "QUAL") else "",
            "date_derniere_venue": (self.today - timedelta(days=rnd.randint(0, 5 * 365))).isoformat(),
            "date_completee": "",
        }
        ipp = self.ipps(self.record_count)
        self.record_count += 1
        return DemoRecord(ipp, fields, p.key, set(), kind)

    # Clusters ----------------------------------------------------------------------------------
    def clusters(self) -> Iterator[list[DemoRecord]]:
        rnd, cfg = self.rnd, self.config
        emitted = copies = 0
        while emitted < cfg.size:
            self._new_cluster()
            roll = rnd.random()
            if emitted == cfg.size - 1:  # room for one record only: exactly `size` records
                cluster = [self.record(self.fresh_person())]
            elif roll < cfg.anomaly_rate * len(self.anomalies):
                cluster = rnd.choice(self.anomalies)()
            elif roll < cfg.anomaly_rate * len(self.anomalies) + cfg.duplicate_rate:
                cluster = self._duplicate(rnd.choice(DUPLICATE_KINDS))
            elif roll < cfg.anomaly_rate * len(self.anomalies) + cfg.duplicate_rate + cfg.hard_negative_rate:
                try:
                    cluster = self._hard_negative(rnd.choice(HARD_NEGATIVES))
                except _NoRoom:  # its second person would repeat an existing one: a single person then
                    cluster = [self.record(self.fresh_person())]
            else:
                cluster = [self.record(self.fresh_person())]
            if copies < self.copies_needed and rnd.random() < 0.03:
                cluster = [self._copy_used_name(r) for r in cluster[:1]] + cluster[1:]
                copies += 1
            emitted += len(cluster)
            yield cluster
        while copies < self.copies_needed:  # small facilities: reach the threshold of the rule
            self._new_cluster()
            yield [self._copy_used_name(self.record(self.fresh_person(), status="PROV"))]
            copies += 1

    def _copy_used_name(self, record: DemoRecord) -> DemoRecord:
        record.fields["nom_utilise"] = record.fields["nom_naissance"]
        record.anomalies.add("TRAIT-UTILISE-COPIE")
        return record

    # Duplicates and hard negatives ---------------------------------------------------------------
    def _duplicate(self, kind: str) -> list[DemoRecord]:
        rnd = self.rnd
        p = self.fresh_person()
        original = self.record(p)
        dup = self.record(p, kind=kind)  # any status: "the duplicate is the PROV one" must not hold
        if dup.fields["statut"] in INS_STATUSES and kind in NIR_BREAKING_KINDS:
            kind = dup.kind = rnd.choice([k for k in DUPLICATE_KINDS if k not in NIR_BREAKING_KINDS])
        if original.fields["matricule_ins"] and dup.fields["matricule_ins"]:
            for r in (original, dup):  # both called INSi: the same matricule twice
                r.anomalies.add("INS-UNIQUE")
        f = dup.fields
        if kind == "faute_nom":
            f["nom_naissance"] = _typo(rnd, p.birth_name)
        elif kind == "nom_usage_en_naissance" and p.used_name:
            f["nom_naissance"], f["nom_utilise"] = p.used_name, ""
        elif kind == "nom_prenom_inverses":
            f["nom_naissance"] = p.first_names[0]
            f["prenoms_naissance"] = f["premier_prenom"] = p.birth_name
        elif kind == "premier_prenom_seul" and len(p.first_names) > 1:
            f["prenoms_naissance"] = p.first_names[0]
        elif kind == "prenom_compose_tronque" and "-" in p.first_names[0]:
            f["premier_prenom"] = f["prenoms_naissance"] = p.first_names[0].split("-")[0]
        elif (
            kind == "jour_mois_inverses"
            and p.birth.day <= 12
            and p.birth.day != p.birth.month
            and date(p.birth.year, p.birth.day, p.birth.month) <= self.today  # a typo, not a future date
        ):
            f["date_naissance"] = f"{p.birth.month:02d}/{p.birth.day:02d}/{p.birth.year}"
        elif kind == "chiffre_date":
            year = p.birth.year + (-1 if p.birth.year + 1 >= self.today.year else rnd.choice((-1, 1)))
            f["date_naissance"] = f"{p.birth.day:02d}/{p.birth.month:02d}/{year}"
        elif kind == "phonetique":
            f["nom_naissance"] = _phonetic_variant(p.birth_name) or _typo(rnd, p.birth_name)
        elif kind == "tiret_manquant" and "-" in " ".join(p.first_names):
            f["prenoms_naissance"] = " ".join(p.first_names).replace("-", " ")
            f["premier_prenom"] = p.first_names[0].replace("-", " ")
        elif kind == "diacritiques" and "E" in p.birth_name:
            f["nom_naissance"] = p.birth_name.replace("E", "É", 1)
            dup.anomalies.add("TRAIT-NOM-CARS")
        elif kind == "sexe_manquant":
            f["sexe"] = ""
            dup.anomalies.add("TRAIT-REQUIS")
        elif kind == "lieu_manquant":
            f["lieu_naissance"] = ""
            if f["statut"] == "VALI":  # read on a document: every strict trait is required (TRAIT-REQUIS)
                dup.anomalies.add("TRAIT-REQUIS")
        elif kind != "doublon_exact":
            dup.kind = "doublon_exact"  # the person does not lend itself to that error
        _no_copied_first_name(dup)
        _mark_homonyms(original, dup)
        return [original, dup]

    def _hard_negative(self, kind: str) -> list[DemoRecord]:
        rnd = self.rnd
        a = self.fresh_person()
        if kind == "jumeaux":
            b = self.fresh_person(
                birth=a.birth, birth_name=a.birth_name, birthplace=a.birthplace, sex=rnd.choice("MF")
            )
        elif kind == "homonymes":
            b = self.fresh_person(birth_name=a.birth_name, first_names=list(a.first_names), sex=a.sex)
        else:  # a parent and a child sharing the surname (and sometimes the first name)
            year = a.birth.year + rnd.randint(22, 38)
            # An adult parent born where the code did not change since (no Corsican 20 → 2A/2B).
            while (
                year > self.today.year - 1
                or a.birthplace.startswith("20")
                or (a.birth.day, a.birth.month) in ((1, 1), (31, 12))  # would look completed
            ):
                a = self.fresh_person(
                    birth=self.today - timedelta(days=365 * rnd.randint(45, 70) + rnd.randint(0, 300))
                )
                year = a.birth.year + rnd.randint(22, 38)
            month = rnd.choice([m for m in range(1, 13) if m != a.birth.month])
            birth = date(year, month, rnd.randint(2, 28))
            names = list(a.first_names) if kind == "parent_enfant" and rnd.random() < 0.5 else None
            b = self.fresh_person(
                birth=birth, birth_name=a.birth_name, sex=a.sex, birthplace=a.birthplace, first_names=names
            )
        if kind == "enfant_nir_parent":
            # The child was registered with the parent's NIR (the insured person, "ouvrant droit"):
            # the child's record carries it as its INS; the parent's record may or may not.
            ra, rb = self.record(a), self.record(b, status=rnd.choice(INS_STATUSES))
            rb.fields["matricule_ins"] = a.matricule
            rb.anomalies |= {"COH-ANNEE", "COH-MOIS", "COLLISION-SUSPECTE"}
            if ra.fields["matricule_ins"]:
                for r in (ra, rb):
                    r.anomalies |= {"INS-UNIQUE", "INS-NSS"}
        else:
            ra, rb = self.record(a), self.record(b)  # statuses drawn as for any record
        ra.kind = rb.kind = kind
        return [ra, rb]

    # Rule anomalies: each injector returns records whose truth lists exactly what must fire ------
    def _anomaly_injectors(self) -> list[Callable[[], list[DemoRecord]]]:
        def one(
            rules: set[str],
            status: str | tuple[str, ...],
            change: Callable[[DemoRecord, Person], None],
            **fixed: object,
        ) -> Callable[[], list[DemoRecord]]:
            """An injector: a fresh person (traits in `fixed`, a tuple = one of them), one record with
            one of the statuses, changed by `change`, and the rules that must fire."""

            def make() -> list[DemoRecord]:
                traits = {
                    k: self.rnd.choice(v) if isinstance(v, tuple) else v() if callable(v) else v
                    for k, v in fixed.items()
                }
                p = self.fresh_person(**traits)
                r = self.record(p, status=self.rnd.choice(status) if isinstance(status, tuple) else status)
                change(r, p)
                _no_copied_first_name(r)
                r.anomalies |= rules
                return [r]

            return make

        ins = INS_STATUSES  # RECUP or QUAL: a RECUP identity is no more often right than a QUAL one
        no_ins = ("PROV", "VALI")
        any_status = ("PROV", "VALI", "RECUP", "QUAL")

        def rekey(r: DemoRecord, first13: str) -> None:
            r.fields["matricule_ins"] = first13 + nir.compute_key(first13)

        def nir_change(pos: slice, value: Callable[[str], str]) -> Callable[[DemoRecord, Person], None]:
            def change(r: DemoRecord, p: Person) -> None:
                body = r.fields["matricule_ins"][:13]
                rekey(r, body[: pos.start] + value(body[pos]) + body[pos.stop :])

            return change

        def set_fields(**values: str) -> Callable[[DemoRecord, Person], None]:
            def change(r: DemoRecord, p: Person) -> None:
                r.fields.update(values)

            return change

        def wrong_key(r: DemoRecord, p: Person) -> None:
            m = r.fields["matricule_ins"]
            r.fields["matricule_ins"] = m[:13] + f"{int(m[13:]) % 97 + 1:02d}"

        def other_sex(r: DemoRecord, p: Person) -> None:
            r.fields["sexe"] = "F" if p.sex == "M" else "M"
            r.fields["nom_utilise"] = ""

        def france_only(r: DemoRecord, p: Person) -> None:
            """COH-LIEU: a NIR whose place is another department of France."""
            body = r.fields["matricule_ins"][:13]
            other = "33063" if not p.birthplace.startswith("33") else "67482"
            rekey(r, body[:5] + other + body[10:])

        def abroad(r: DemoRecord, p: Person) -> None:
            body = r.fields["matricule_ins"][:13]
            rekey(r, body[:5] + "99350" + body[10:])

        def desk_name_error(r: DemoRecord, p: Person) -> None:
            """Characters a desk types into a birth name: a digit for a letter, the used name in
            brackets or after "EP.", a lower-case accented copy of a paper form, a marker asterisk."""
            name, used = p.birth_name, p.used_name or surnames(decade_of(p.birth.year)).draw(self.rnd)
            variants = [f"{name} ({used})", f"{name} EP. {used}", f"{name}*", name.title()]
            for letter, digit in (("O", "0"), ("I", "1"), ("S", "5")):
                if letter in name[1:]:
                    variants.append(name[0] + name[1:].replace(letter, digit, 1))
            r.fields["nom_naissance"] = self.rnd.choice(variants)

        def first_names_error(r: DemoRecord, p: Person) -> None:
            """First names as desks mistype them: separated by commas, a doubled hyphen, a hyphen
            left at the end."""
            first, rest = p.first_names[0], p.first_names[1:]
            variants = [f"{first}--{first}" if "-" not in first else first.replace("-", "--", 1), f"{first}-"]
            chosen = self.rnd.choice(variants)
            if rest and self.rnd.random() < 0.4:  # the list typed with commas
                r.fields["prenoms_naissance"] = ", ".join(p.first_names)
                return
            r.fields["premier_prenom"] = chosen
            r.fields["prenoms_naissance"] = " ".join([chosen, *rest])

        def long_first_names(r: DemoRecord, p: Person) -> None:
            """A list of first names over 100 characters (several compound names, as some civil
            registers hold), typed whole."""
            table = first_names(p.sex, decade_of(p.birth.year))
            names = list(p.first_names)
            while len(" ".join(names)) <= 100:
                a, b = table.draw(self.rnd), table.draw(self.rnd)
                compound = f"{a}-{b}" if "-" not in a + b and a != b else a
                if compound not in names:
                    names.append(compound)
            r.fields["prenoms_naissance"] = " ".join(names)

        def corsican_key(r: DemoRecord, p: Person) -> None:
            """INS-CLE on a Corsican NIR: the key computed as if 2A/2B were digits (software that
            forgets the 19/18 substitution)."""
            m = r.fields["matricule_ins"]
            naive = int(m[:5] + "20" + m[7:13]) if m[5:7] in ("2A", "2B") else int(m[:13]) + 1
            key = 97 - naive % 97
            if f"{key:02d}" == m[13:]:
                key = key % 97 + 1
            r.fields["matricule_ins"] = m[:13] + f"{key:02d}"

        def overseas_place(r: DemoRecord, p: Person) -> None:
            """COH-LIEU overseas: the NIR names another overseas department's commune."""
            body = r.fields["matricule_ins"][:13]
            other = next(c for c in OVERSEAS if c[:3] != p.birthplace[:3])
            rekey(r, body[:5] + other + body[10:])

        def second_first(r: DemoRecord, p: Person) -> None:
            r.fields["prenom_utilise"] = ""
            # The second name must not start like the first (JEAN-MARIE then JEAN is still coherent).
            head = normalize_name(p.first_names[0]).split()[0]
            second = next((n for n in p.first_names[1:] if normalize_name(n).split()[0] != head), None)
            names = [p.first_names[0], second or ("CLAUDE" if head != "CLAUDE" else "DOMINIQUE")]
            r.fields["prenoms_naissance"], r.fields["premier_prenom"] = " ".join(names), names[1]

        def raw_date(text: str) -> Callable[[DemoRecord, Person], None]:
            return set_fields(date_naissance=text)

        def future(r: DemoRecord, p: Person) -> None:
            day = self.today + timedelta(days=self.rnd.randint(2, 300))
            if (day.day, day.month) in ((1, 1), (31, 12)):
                day += timedelta(days=2)  # keep TRAIT-DATE-COMPLETEE out of this case
            r.fields["date_naissance"] = day.strftime("%d/%m/%Y")

        def unknown_cog(r: DemoRecord, p: Person) -> None:
            r.fields["lieu_naissance"] = self.rnd.choice(self.unknown_codes)

        def clear_ins(r: DemoRecord, p: Person) -> None:
            r.fields["matricule_ins"] = r.fields["oid_ins"] = ""

        def nss(r: DemoRecord, p: Person) -> None:
            r.fields["matricule_ins"], r.fields["oid_ins"] = p.matricule, OID_NSS_NIR

        def homonyms_unflagged() -> list[DemoRecord]:
            a = self.fresh_person()
            b = self.person(
                birth_name=a.birth_name, first_names=[a.first_names[0]], birth=a.birth, sex=a.sex,
                birthplace=self._other_birthplace(a),
            )  # fmt: skip
            ra, rb = self.record(a), self.record(b)
            for r in (ra, rb):
                r.anomalies.add("ATTR-HOMONYME")
                r.kind = "homonymes_meme_date"
            return [ra, rb]

        def homonyms_flagged() -> list[DemoRecord]:
            """Legitimate: the same homonyms, flagged (one of them also DOUTEUSE)."""
            a = self.fresh_person()
            b = self.person(
                birth_name=a.birth_name, first_names=[a.first_names[0]], birth=a.birth, sex=a.sex,
                birthplace=self._other_birthplace(a),
            )  # fmt: skip
            ra, rb = self.record(a), self.record(b)
            ra.fields["attributs"] = "HOMONYME"
            # DOUTEUSE only where it is allowed: a PROV record without matricule
            rb.fields["attributs"] = "DOUTEUSE HOMONYME" if rb.fields["statut"] == "PROV" else "HOMONYME"
            ra.kind = rb.kind = "homonymes_signales"
            return [ra, rb]

        def completed_flagged() -> list[DemoRecord]:
            """Legitimate: a date completed per EXI ID 11 and flagged as such."""
            p = self.fresh_person(birth=date(self.rnd.randint(1930, 2000), 1, 1))
            r = self.record(p, status="PROV")
            r.fields["date_completee"] = "1"
            return [r]

        def exact_with_ins() -> list[DemoRecord]:
            p = self.fresh_person()
            a = self.record(p, status=self.rnd.choice(INS_STATUSES))
            b = self.record(p, status=self.rnd.choice(INS_STATUSES), kind="doublon_exact")
            for r in (a, b):
                r.anomalies |= {"INS-UNIQUE", "ATTR-HOMONYME"}
            return [a, b]

        def not_high_trust(r: DemoRecord, p: Person) -> None:
            # driving licence, military card, trusted third party, European health card
            r.fields["justificatif"] = self.rnd.choice(("PC", "CM", "TC", "CE"))

        def matricule_without_insi(r: DemoRecord, p: Person) -> None:
            r.fields["matricule_ins"], r.fields["oid_ins"] = p.matricule, OID_INS_NIR_DEMO

        def born_since_1976() -> date:
            return date(
                self.rnd.randint(1976, self.today.year - 1), self.rnd.randint(1, 12), self.rnd.randint(2, 28)
            )

        return [
            one(
                {"INS-FORMAT"},
                ins,
                lambda r, p: r.fields.update(matricule_ins=r.fields["matricule_ins"][:14]),
            ),
            one({"INS-CLE"}, ins, wrong_key),
            one({"INS-CLE"}, ins, corsican_key, birthplace=CORSICA, birth=born_since_1976),
            one({"INS-SEXE-CHIFFRE"}, ins, nir_change(slice(0, 1), lambda s: "7")),
            one({"INS-MOIS"}, ins, nir_change(slice(3, 5), lambda s: "15")),
            one({"INS-LIEU-PLAGE"}, ins, nir_change(slice(10, 13), lambda s: "000")),
            one({"INS-OID"}, ins, set_fields(oid_ins="1.2.250.1.213.1.4.99")),
            one({"INS-NSS"}, no_ins, nss),
            one({"COH-SEXE"}, ins, other_sex),
            one({"COH-ANNEE"}, ins, nir_change(slice(1, 3), lambda s: f"{(int(s) + 1) % 100:02d}")),
            one({"COH-MOIS"}, ins, nir_change(slice(3, 5), lambda s: f"{int(s) % 12 + 1:02d}")),
            one({"COH-LIEU"}, ins, france_only, birthplace=("31555", "34172", "66136")),
            one({"COH-LIEU"}, ins, france_only, birthplace=CORSICA, birth=born_since_1976),
            one({"COH-LIEU"}, ins, overseas_place, birthplace=OVERSEAS),
            one({"COH-ETRANGER"}, ins, abroad, birthplace=("34172", "97411")),
            exact_with_ins,
            one({"STATUT-VALEUR"}, "PROV", set_fields(statut="DOUB")),
            one({"STATUT-INS"}, ins, clear_ins),
            one({"STATUT-INS"}, no_ins, matricule_without_insi),
            one({"STATUT-JUSTIF"}, ("VALI", "QUAL"), not_high_trust),
            one({"ATTR-PROV"}, ("VALI", "RECUP", "QUAL"), set_fields(attributs="DOUTEUSE")),
            one({"ATTR-COMBI"}, "PROV", set_fields(attributs="FICTIVE HOMONYME")),
            homonyms_unflagged,
            homonyms_flagged,
            one({"TRAIT-REQUIS"}, any_status, set_fields(premier_prenom="", prenoms_naissance="")),
            one({"TRAIT-REQUIS"}, no_ins, set_fields(sexe="", nom_utilise="")),
            one({"TRAIT-NOM-CARS"}, any_status, desk_name_error),
            one(
                {"TRAIT-NOM-SYNTAXE"},
                any_status,
                lambda r, p: r.fields.update(nom_naissance=f"{p.birth_name}  {p.birth_name}"),
            ),
            one(
                {"TRAIT-NOM-SYNTAXE"},
                any_status,
                lambda r, p: r.fields.update(nom_naissance=f"-{p.birth_name}"),
            ),
            one({"TRAIT-PRENOM-CARS"}, any_status, first_names_error),
            one({"TRAIT-LONGUEUR"}, any_status, long_first_names),
            one({"TRAIT-PRENOM1"}, any_status, second_first),
            one({"TRAIT-SEXE"}, ins, set_fields(sexe="I", nom_utilise="")),
            one({"TRAIT-DATE"}, no_ins, raw_date("31/02/1980")),
            one({"TRAIT-DATE"}, no_ins, raw_date("29/02/2023")),
            one({"TRAIT-DATE"}, no_ins, future),
            one(
                {"TRAIT-DATE-COMPLETEE"},
                no_ins,
                lambda r, p: r.fields.update(
                    date_naissance=f"31/12/{min(p.birth.year, self.today.year - 1)}"
                ),
            ),
            completed_flagged,
            one({"TRAIT-LIEU-FORMAT"}, no_ins, set_fields(lieu_naissance="7505")),
            one({"TRAIT-LIEU-FORMAT"}, no_ins, set_fields(lieu_naissance="2A04")),
            one({"TRAIT-LIEU-INCONNU"}, "VALI", set_fields(lieu_naissance="99999")),
            one({"TRAIT-LIEU-COG"}, no_ins, unknown_cog),
        ]


def _accumulate(values: list[int]) -> Iterator[int]:
    total = 0
    for v in values:
        total += v
        yield total


def _bisect(cumulative: list[int], value: float) -> int:
    return min(bisect.bisect(cumulative, value), len(cumulative) - 1)


def _weighted(rnd: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rnd.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _typo(rnd: random.Random, name: str) -> str:
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 3:
        return name + "E"
    i = rnd.choice(letters[1:])
    kind = rnd.choice(("substitution", "omission", "transposition"))
    if kind == "omission":
        return name[:i] + name[i + 1 :]
    if kind == "transposition" and i + 1 < len(name) and name[i + 1].isalpha() and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    replacement = rnd.choice([c for c in "AEIOURSTLN" if c != name[i]])
    return name[:i] + replacement + name[i + 1 :]


_PHONETIC = (("PH", "F"), ("TH", "T"), ("Y", "I"), ("EAU", "O"), ("AU", "O"), ("AI", "E"), ("CK", "K"),
             ("QU", "K"), ("LL", "L"), ("TT", "T"), ("SS", "S"), ("NN", "N"))  # fmt: skip


def _phonetic_variant(name: str) -> str | None:
    for a, b in _PHONETIC:
        if a in name:
            return name.replace(a, b, 1)
    return None


def _no_copied_first_name(record: DemoRecord) -> None:
    """A used first name equal to the first name would count as a copy (TRAIT-UTILISE-COPIE): an
    injected change to the first name drops the used one rather than make that rule fire unseen."""
    if record.fields["prenom_utilise"] and record.fields["prenom_utilise"] == record.fields["premier_prenom"]:
        record.fields["prenom_utilise"] = ""


def _mark_homonyms(original: DemoRecord, dup: DemoRecord) -> None:
    """A duplicate keeping the same normalised name, first name, date and sex fires ATTR-HOMONYME."""

    def key(r: DemoRecord) -> tuple[str, ...] | None:
        f = r.fields
        values = (normalize_name(f["nom_naissance"]), normalize_name(f["premier_prenom"]),
                  f["date_naissance"], f["sexe"])  # fmt: skip
        return values if all(values) else None

    if key(original) is not None and key(original) == key(dup):
        original.anomalies.add("ATTR-HOMONYME")
        dup.anomalies.add("ATTR-HOMONYME")


class _NoRoom(Exception):
    """The traits asked for leave no new person (every NIR order number or the homonym key taken)."""


def generate(config: DemoConfig, cog: CogReference) -> Iterator[DemoRecord]:
    """The records of a synthetic facility, cluster after cluster (deterministic for a seed)."""
    generator = Generator(config, cog)
    for cluster in generator.clusters():
        yield from cluster


__all__ = ["DemoConfig", "DemoRecord", "generate", "replace"]
