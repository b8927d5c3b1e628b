"""Fake but realistic-looking personal data (names, e-mail addresses) for pseudonymisation demos."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FIRST_NAMES: tuple[str, ...] = (
    "Anna", "Lena", "Laura", "Julia", "Sarah", "Lisa", "Marie", "Sophie", "Emma", "Hannah", "Lea",
    "Mia", "Clara", "Eva", "Nina", "Paula", "Ines", "Chloe", "Camille", "Giulia", "Sofia", "Lucia",
    "Maja", "Zofia", "Femke", "Sanne", "Elif", "Olga", "Ida", "Freya",
    "Lukas", "Jonas", "Leon", "Paul", "Felix", "Max", "Tim", "David", "Jan", "Simon", "Tobias",
    "Niklas", "Finn", "Elias", "Noah", "Ben", "Lucas", "Hugo", "Louis", "Marco", "Luca", "Pablo",
    "Javier", "Piotr", "Jakub", "Daan", "Sem", "Emre", "Mads", "Oscar",
)
LAST_NAMES: tuple[str, ...] = (
    "Meyer", "Mueller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Braun", "Zimmermann",
    "Hofer", "Huber", "Gruber", "Keller", "Brunner", "Martin", "Bernard", "Dubois", "Laurent",
    "Rossi", "Russo", "Ferrari", "Garcia", "Martinez", "Lopez", "Nowak", "Kowalski", "Wisniewski",
    "de Jong", "Jansen", "de Vries", "Peeters", "Maes", "Jensen", "Nielsen", "Yilmaz", "Kaya",
    "Lange", "Vogel", "Frank", "Berger", "Roth", "Beck", "Lorenz", "Baumann", "Franke", "Albrecht",
    "Ludwig", "Winter", "Kraus", "Haas", "Simon",
)
DOMAINS: tuple[str, ...] = ("example.com", "example.org", "example.net", "mail.example")
DOMAIN_WEIGHTS = np.array([0.55, 0.2, 0.15, 0.1])


def _take(values: tuple[str, ...], idx: np.ndarray) -> pa.Array:
    return pa.array(values, pa.string()).take(pa.array(idx))


def fake_people(n: int, rng: np.random.Generator) -> tuple[pa.Array, pa.Array]:
    """Names ("Anna Meyer") and unique e-mail addresses ("anna.meyer123@example.com")."""
    first = _take(FIRST_NAMES, rng.integers(0, len(FIRST_NAMES), n))
    last = _take(LAST_NAMES, rng.integers(0, len(LAST_NAMES), n))
    name = pc.binary_join_element_wise(first, last, " ")
    # Many addresses carry a number; some have none, as people pick them.
    number = rng.integers(1, 1000, n)
    suffix = pc.if_else(pa.array(rng.random(n) < 0.75), pc.cast(pa.array(number), pa.string()),
                        pa.scalar(""))
    domain = _take(DOMAINS, rng.choice(len(DOMAINS), n, p=DOMAIN_WEIGHTS))
    local = pc.utf8_lower(pc.replace_substring(
        pc.binary_join_element_wise(first, last, "."), " ", ""))
    local = pc.binary_join_element_wise(local, suffix, "")
    # Real customer tables hold one account per address: number repeated addresses ".2", ".3" ...
    full = pc.binary_join_element_wise(local, domain, "@").to_pandas()
    rank = full.groupby(full, sort=False).cumcount().to_numpy()
    repeat = pc.if_else(pa.array(rank > 0),
                        pc.binary_join_element_wise(pa.scalar("."), pc.cast(pa.array(rank + 1),
                                                                            pa.string()), ""),
                        pa.scalar(""))
    local = pc.binary_join_element_wise(local, repeat, "")
    return name, pc.binary_join_element_wise(local, domain, "@")
