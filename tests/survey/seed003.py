"""Published numbers of seed 003 (Smart Media KAM thesis, BI 2019) used as test vectors.

Counts are Qualtrics frequencies per option 1…k (Vedlegg 2); the printed mean / SD / variance
are Qualtrics population statistics at two decimals (reference seed-003.md §3.2, §6 TV-1).
"""

from __future__ import annotations

# name: (counts, n, printed mean, printed SD, printed variance, sample SD to 4 dp or None)
TV1_ITEMS: dict[str, tuple[list[int], int, float, float, float, float | None]] = {
    "employees": ([76, 16, 1, 6], 99, 1.36, 0.78, 0.62, 0.7884),
    "operating_result": ([14, 25, 26, 13, 17, 4], 99, 3.06, 1.41, 2.00, 1.4201),
    "follow_up_frequency": ([5, 16, 29, 15, 14], 79, 3.22, 1.14, 1.31, 1.1510),
    "support_needed": ([71, 8], 79, 1.10, 0.30, 0.09, None),
    "service_satisfaction": ([0, 1, 2, 3, 9, 22, 26], 63, 6.02, 1.13, 1.29, 1.1429),
    "overall_satisfaction": ([0, 2, 1, 6, 13, 25, 22], 69, 5.80, 1.19, 1.41, 1.1953),
    "rel_supplier_choice": ([0, 1, 13, 32, 27], 73, 4.16, 0.76, 0.58, 0.7640),
    "rel_valuable": ([0, 0, 14, 36, 23], 73, 4.12, 0.70, 0.49, None),
    "rel_long_term": ([0, 2, 22, 29, 20], 73, 3.92, 0.82, 0.68, None),
    "fixed_contact": ([0, 2, 19, 35, 17], 73, 3.92, 0.77, 0.60, None),
    "new_services": ([26, 39, 6], 71, 1.72, 0.61, 0.37, None),
    "workshop": ([16, 31, 14], 61, 1.97, 0.70, 0.49, None),
    "dig_value": ([1, 1, 9, 35, 22], 68, 4.12, 0.80, 0.63, None),
    "dig_competence": ([6, 7, 26, 17, 12], 68, 3.32, 1.14, 1.31, None),
    "dig_use_sm": ([1, 7, 27, 26, 7], 68, 3.46, 0.86, 0.75, None),
    "dm_active": ([0, 0, 6, 30, 31], 67, 4.37, 0.64, 0.41, None),
    "dm_competence": ([1, 6, 31, 16, 13], 67, 3.51, 0.95, 0.91, None),
    "video_value": ([0, 4, 21, 26, 16], 67, 3.81, 0.87, 0.75, None),
    "one_stop_supplier": ([4, 3, 28, 21, 11], 67, 3.48, 1.01, 1.03, None),
    "dm_use_sm": ([2, 7, 27, 27, 4], 67, 3.36, 0.86, 0.74, None),
}

#: County counts for options 1 … 19 (Vedlegg 2 block 1); Qualtrics 3.08 / 3.28 / 10.77.
COUNTY_COUNTS = [0, 77, 11, 3, 1, 1, 0, 1, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 3]

#: Block 4 satisfaction items, counts on 1–7 as printed, stored by Qualtrics as 2–8.
BLOCK4 = {
    "q03": ([2, 1, 1, 13, 9, 28, 20], 6.57, 5.5676),
    "q04": ([2, 0, 1, 9, 14, 28, 20], 6.66, 5.6622),
    "q05": ([3, 5, 8, 10, 15, 19, 14], 5.92, 4.9189),
}

#: Vedlegg 6 (n = 64): r, sd_x, CI, p (printed), covariance; sd(RELASJON) = 0.652609.
RELASJON_SD = 0.652609
TV4_ROWS: list[tuple[str, float, float, tuple[float, float], float | str, float]] = [
    ("03 forstå behov", 0.345141, 1.446122, (0.10854, 0.544735), 0.0052, 0.325728),
    ("04 oppfølging underveis", 0.305211, 1.319873, (0.06422, 0.512566), 0.0142, 0.262897),
    ("05 oppfølging i etterkant", 0.330765, 1.685533, (0.092474, 0.533221), 0.0076, 0.363839),
    ("07 totalt sett", 0.381437, 1.202572, (0.14966, 0.573476), 0.0019, 0.299355),
    ("12 fast kontaktperson", 0.473827, 0.764898, (0.258076, 0.644563), "<.0001", 0.236524),
    ("17 digitalisering SM", 0.488327, 0.870595, (0.275599, 0.655458), "<.0001", 0.277447),
    ("18 dig. mark. verdi", 0.314253, 0.654654, (0.074174, 0.519902), 0.0114, 0.134259),
    ("21 dig. mark. SM", 0.355902, 0.879523, (0.120648, 0.553306), 0.0039, 0.204282),
    ("22 totalleverandør", 0.263283, 1.038806, (0.018683, 0.478148), 0.0356, 0.178489),
]
#: Row 15: printed r 0.34958 is a typo; CI, p and covariance imply 0.34858.
TV4_TYPO = ("15 digitalisering verdi", 0.34958, 0.79915, (0.112401, 0.547479), 0.0048, 0.181796)

#: Rotated factor loadings (Vedlegg 3, L1380-1402), factors F1 … F6.
FACTORS = ["F1", "F2", "F3", "F4", "F5", "F6"]
ROTATED = {
    "Antall ansatte": [-0.19466, -0.12918, 0.07970, -0.04410, 0.13084, 0.44504],
    "Driftsresultat": [0.02914, 0.09388, -0.02175, -0.01728, -0.05826, 1.00391],
    "Tilfredshet: Forstå behov": [0.86004, -0.02678, -0.02219, 0.03760, 0.04839, 0.16470],
    "Tilfredshet: Oppfølging underveis": [0.89174, -0.02724, 0.02916, -0.06049, 0.04428, -0.04043],
    "Tilfredshet: Oppfølging i etterkant": [0.76965, 0.03651, 0.10617, -0.07986, 0.18141, -0.10810],
    "Behov for oppfølging ila året": [0.07337, -0.23957, 0.08450, -0.12861, -0.15820, -0.25214],
    "Tilfredshet: Service og support": [0.93325, -0.04615, 0.01437, -0.03877, -0.07730, -0.11630],
    "Tilfredshet: Totalt sett": [0.94445, -0.00109, 0.00512, 0.02002, -0.02448, 0.01476],
    "Relasjon: Valg av leverandør": [-0.03410, 0.20611, 0.05043, 0.70934, -0.10984, -0.05170],
    "Relasjoner: Verdifullt for kunden": [-0.07443, -0.10421, 0.05497, 1.02978, 0.05334, 0.02709],
    "Relasjoner: Langsiktige relasjoner": [0.32294, 0.24786, -0.05059, 0.45398, 0.13559, -0.09907],
    "Relasjoner: Fast kontaktperson": [0.03718, 0.46569, 0.07717, 0.10812, 0.09548, 0.08084],
    "Interessant å bruke SM på andre tjenester?": [-0.39591, -0.29909, 0.20799, -0.09276, 0.27616, -0.02168],
    "Workshop: Aktuelt for kunden?": [-0.01183, -0.50644, 0.23600, -0.00063, -0.13607, -0.11697],
    "Digitalisering: Ser verdien": [-0.08212, 0.47479, 0.54052, -0.03164, 0.33587, -0.02216],
    "Digitalisering: Har kompetanse": [-0.03242, -0.08024, 1.02985, 0.02738, -0.16379, -0.04462],
    "Digitalisering: Ønsker å benytte SM": [0.00345, 0.92362, 0.06428, 0.05024, -0.20004, 0.05374],
    "Digital markedsføring: Ser verdien": [0.13019, 0.19773, 0.13628, -0.02537, 0.51809, 0.15518],
    "Digital markedsføring: Har kompetanse": [0.19147, -0.21582, 0.59374, 0.09201, 0.09022, 0.09879],
    "Digital markedsføring: Video og animasjon": [0.03561, -0.08341, -0.11669, 0.01843, 0.93586, -0.03457],
    "Digital markedsføring: Ønsker å benytte SM": [0.01884, 0.88859, 0.01439, -0.10752, -0.02379, -0.05107],
    "Leverandør: Verdi av totalleverandør": [-0.11334, 0.53514, -0.22544, 0.03798, 0.11415, -0.24307],
}  # fmt: skip
#: The thesis's assignment of items to factors (Vedlegg 3 summary table).
ASSIGNMENT = {
    "Tilfredshet: Forstå behov": "F1",
    "Tilfredshet: Oppfølging underveis": "F1",
    "Tilfredshet: Oppfølging i etterkant": "F1",
    "Tilfredshet: Service og support": "F1",
    "Tilfredshet: Totalt sett": "F1",
    "Relasjoner: Fast kontaktperson": "F2",
    "Digitalisering: Ønsker å benytte SM": "F2",
    "Digital markedsføring: Ønsker å benytte SM": "F2",
    "Leverandør: Verdi av totalleverandør": "F2",
    "Digitalisering: Har kompetanse": "F3",
    "Digital markedsføring: Har kompetanse": "F3",
    "Relasjon: Valg av leverandør": "F4",
    "Relasjoner: Verdifullt for kunden": "F4",
    "Relasjoner: Langsiktige relasjoner": "F4",
    "Digital markedsføring: Ser verdien": "F5",
    "Digital markedsføring: Video og animasjon": "F5",
    "Digitalisering: Ser verdien": "F5",
    "Antall ansatte": "F6",
    "Driftsresultat": "F6",
}

#: Factor correlation matrix (Vedlegg L1448-1454), exact and symmetric.
FACTOR_LABELS = ["Tilfredshet", "Videre samarbeid", "Kompetanse", "Relasjon",
                 "Verdi av nye tjenester", "Størrelse på kunde"]  # fmt: skip
FACTOR_CORR = [
    [1.0000, 0.2154, 0.1308, 0.3342, 0.2977, -0.0820],
    [0.2154, 1.0000, -0.1571, 0.4960, 0.3097, -0.0357],
    [0.1308, -0.1571, 1.0000, 0.1290, 0.3314, 0.1509],
    [0.3342, 0.4960, 0.1290, 1.0000, 0.3568, -0.0334],
    [0.2977, 0.3097, 0.3314, 0.3568, 1.0000, 0.1813],
    [-0.0820, -0.0357, 0.1509, -0.0334, 0.1813, 1.0000],
]

#: The prose version (L654-660), rounded to 2 decimals and NOT symmetric.
PROSE_CORR = [
    [1.00, 0.22, 0.13, 0.33, 0.29, -0.08],
    [0.21, 1.00, -0.15, 0.50, 0.31, -0.03],
    [0.13, -0.16, 1.00, 0.13, 0.33, 0.15],
    [0.33, 0.50, 0.13, 1.00, 0.36, -0.03],
    [0.30, 0.31, 0.33, 0.36, 1.00, 0.18],
    [-0.08, -0.03, 0.15, -0.03, 0.18, 1.00],
]
