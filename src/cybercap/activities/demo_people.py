"""Invented names for the demo's phase-one participants and its trainers and expert speakers.

Names are composed from common given and family names of each country, written in its own
script, with a Latin-script form where the script is not Latin; every combination is invented.
Pure Python: ``participants(rng)`` and ``experts(rng)`` return plain tuples.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoName:
    country: str
    full_name: str
    latin_name: str
    gender: str


# (local given, Latin given, gender), (local family, Latin family), and the order of the parts.
_M, _F = "male", "female"
GIVEN: dict[str, list[tuple[str, str, str]]] = {
    "TH": [
        ("สมชาย", "Somchai", _M),
        ("สมศักดิ์", "Somsak", _M),
        ("ประเสริฐ", "Prasert", _M),
        ("วิชัย", "Wichai", _M),
        ("ธนากร", "Thanakorn", _M),
        ("อนุชา", "Anucha", _M),
        ("สุภาพร", "Supaporn", _F),
        ("วราภรณ์", "Waraporn", _F),
        ("นภัสสร", "Napatsorn", _F),
        ("ศิริพร", "Siriporn", _F),
        ("พิมพ์ชนก", "Pimchanok", _F),
        ("อรทัย", "Orathai", _F),
    ],
    "KH": [
        ("ដារ៉ា", "Dara", _M),
        ("វិចិត្រ", "Vichet", _M),
        ("សុវណ្ណ", "Sovann", _M),
        ("បូរ៉ា", "Bora", _M),
        ("វណ្ណៈ", "Vannak", _M),
        ("ពិសិដ្ឋ", "Piseth", _M),
        ("សុភា", "Sophea", _F),
        ("ស្រីពៅ", "Srey Pov", _F),
        ("ចន្ទ្រា", "Chantrea", _F),
        ("រតនា", "Rathana", _F),
        ("សុខា", "Sokha", _F),
        ("ស្រីនាង", "Srey Neang", _F),
    ],
    "LA": [
        ("ສົມພອນ", "Somphone", _M),
        ("ທອງສະຫວັນ", "Thongsavanh", _M),
        ("ສຸລິຍາ", "Souliya", _M),
        ("ພອນສະຫວັນ", "Phonesavanh", _M),
        ("ບຸນທັນ", "Bounthanh", _M),
        ("ວິໄລ", "Vilay", _F),
        ("ຄຳຫຼ້າ", "Khamla", _F),
        ("ແສງເດືອນ", "Sengdeuane", _F),
        ("ມະນີວັນ", "Manivanh", _F),
        ("ບຸນມີ", "Bounmy", _F),
    ],
    "VN": [
        ("Minh", "Minh", _M),
        ("Tuấn", "Tuan", _M),
        ("Dũng", "Dung", _M),
        ("Hùng", "Hung", _M),
        ("Quân", "Quan", _M),
        ("Cường", "Cuong", _M),
        ("Lan", "Lan", _F),
        ("Hương", "Huong", _F),
        ("Thảo", "Thao", _F),
        ("Phương", "Phuong", _F),
        ("Trang", "Trang", _F),
        ("Ánh", "Anh", _F),
    ],
    "ID": [
        ("Budi", "", _M),
        ("Agus", "", _M),
        ("Hendra", "", _M),
        ("Rizky", "", _M),
        ("Eko", "", _M),
        ("Siti", "", _F),
        ("Dewi", "", _F),
        ("Ratna", "", _F),
        ("Putri", "", _F),
        ("Indah", "", _F),
    ],
    "PH": [
        ("Jose Miguel", "", _M),
        ("Ramon", "", _M),
        ("Paolo", "", _M),
        ("Rodel", "", _M),
        ("Mark Anthony", "", _M),
        ("Maria Cristina", "", _F),
        ("Ana Liza", "", _F),
        ("Kristine Joy", "", _F),
        ("Jessa Mae", "", _F),
        ("Rowena", "", _F),
    ],
    "TL": [
        ("João", "Joao", _M),
        ("Domingos", "", _M),
        ("Agostinho", "", _M),
        ("Celestino", "", _M),
        ("Francisco", "", _M),
        ("Maria", "", _F),
        ("Ermelinda", "", _F),
        ("Natália", "Natalia", _F),
        ("Teresa", "", _F),
        ("Rosa", "", _F),
    ],
}
FAMILY: dict[str, list[tuple[str, str]]] = {
    "TH": [
        ("ใจดี", "Jaidee"),
        ("ศรีสุข", "Srisuk"),
        ("แสงทอง", "Saengthong"),
        ("บุญมา", "Boonma"),
        ("วงศ์สวัสดิ์", "Wongsawat"),
        ("สุขประเสริฐ", "Sukprasert"),
        ("ทองคำ", "Thongkham"),
        ("รัตนวงศ์", "Rattanawong"),
        ("จันทร์เพ็ญ", "Chanphen"),
    ],
    "KH": [
        ("សុខ", "Sok"),
        ("ចាន់", "Chan"),
        ("ហេង", "Heng"),
        ("លី", "Ly"),
        ("គឹម", "Kim"),
        ("ម៉ៅ", "Mao"),
        ("ឈឹម", "Chhim"),
        ("ទេព", "Tep"),
    ],
    "LA": [
        ("ພົມມະຈັນ", "Phommachanh"),
        ("ແກ້ວມະນີ", "Keomany"),
        ("ສີສຸວັນ", "Sisouvanh"),
        ("ໄຊຍະວົງ", "Xayavong"),
        ("ວົງສາ", "Vongsa"),
        ("ບຸບຜາ", "Bouppha"),
        ("ສີລາວົງ", "Silavong"),
        ("ພັນທະວົງ", "Phanthavong"),
    ],
    "VN": [
        ("Nguyễn", "Nguyen"),
        ("Trần", "Tran"),
        ("Lê", "Le"),
        ("Phạm", "Pham"),
        ("Hoàng", "Hoang"),
        ("Vũ", "Vu"),
        ("Đặng", "Dang"),
        ("Bùi", "Bui"),
        ("Đỗ", "Do"),
    ],
    "ID": [
        ("Santoso", ""),
        ("Pratama", ""),
        ("Wijaya", ""),
        ("Saputra", ""),
        ("Hidayat", ""),
        ("Kurniawan", ""),
        ("Lestari", ""),
        ("Harahap", ""),
        ("Siregar", ""),
    ],
    "PH": [
        ("Dela Cruz", ""),
        ("Santos", ""),
        ("Reyes", ""),
        ("Villanueva", ""),
        ("Bautista", ""),
        ("Mañalac", "Manalac"),
        ("Mendoza", ""),
        ("Castillo", ""),
    ],
    "TL": [
        ("da Costa Soares", ""),
        ("Pereira", ""),
        ("Ximenes", ""),
        ("Guterres", ""),
        ("Freitas", ""),
        ("Belo Amaral", ""),
        ("da Silva", ""),
        ("Martins", ""),
    ],
}
# Vietnamese middle names by gender; Myanmar names are built from syllables, with no family name.
VN_MIDDLE = {_M: [("Văn", "Van"), ("Đức", "Duc"), ("Quang", "Quang")], _F: [("Thị", "Thi")]}
MM_FIRST = {
    _M: [("အောင်", "Aung"), ("ကျော်", "Kyaw"), ("ဇော်", "Zaw"), ("ထက်", "Htet"), ("ဖြိုး", "Phyo")],
    _F: [("သီတာ", "Thida"), ("နီလာ", "Nilar"), ("စု", "Su"), ("မြတ်", "Myat"), ("သန္တာ", "Thanda")],
}
MM_REST = [
    ("မင်း", "Min"),
    ("မိုး", "Moe"),
    ("ထွန်း", "Htun"),
    ("ဝင်း", "Win"),
    ("ဦး", "Oo"),
    ("လင်း", "Lin"),
    ("ခိုင်", "Khaing"),
    ("နိုင်", "Naing"),
    ("ဖြူ", "Phyu"),
]
# Malaysia, Singapore and Brunei: Malay names with a patronymic (bin/binti, binte in
# Singapore), Chinese names family first, Indian names with a patronymic (a/l, a/p) or family.
MALAY_GIVEN = {
    _M: ["Muhammad Faiz", "Ahmad Zaki", "Mohd Hafiz", "Awang Khairul", "Haziq", "Amirul"],
    _F: ["Nurul Aisyah", "Siti Khadijah", "Nur Syazwani", "Dayang Aminah", "Farah", "Aina"],
}
MALAY_FATHER = ["Ismail", "Razak", "Ahmad", "Abdullah", "Hassan", "Yusof", "Omar", "Salleh"]
CHINESE_FAMILY = ["Tan", "Lim", "Wong", "Lee", "Goh", "Ng", "Chua"]
CHINESE_GIVEN = {
    _M: ["Wei Jie", "Chee Keong", "Kok Leong", "Jun Hao", "Zhi Wei"],
    _F: ["Mei Ling", "Hui Min", "Xin Yi", "Li Ting", "Jia Hui"],
}
INDIAN_GIVEN = {_M: ["Rajesh", "Arjun", "Suresh", "Vikneswaran"], _F: ["Kavitha", "Priya", "Devi"]}
INDIAN_FAMILY = ["Kumar", "Subramaniam", "Pillai", "Nair", "Krishnan"]
PATTERNS = {
    "MY": ("malay", "malay", "chinese", "indian"),
    "SG": ("chinese", "chinese", "malay", "indian"),
    "BN": ("malay",),
}
FAMILY_FIRST = {"VN", "KH"}
NON_LATIN = {"TH", "KH", "LA", "MM"}


def _ascii(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _composed(country: str, rng: random.Random) -> DemoName:
    gender = rng.choice([_M, _F])
    pattern = rng.choice(PATTERNS[country])
    if pattern == "malay":
        link = {_M: "bin", _F: "binte" if country == "SG" else "binti"}[gender]
        full = f"{rng.choice(MALAY_GIVEN[gender])} {link} {rng.choice(MALAY_FATHER)}"
    elif pattern == "chinese":
        full = f"{rng.choice(CHINESE_FAMILY)} {rng.choice(CHINESE_GIVEN[gender])}"
    elif country == "MY":
        link = {_M: "a/l", _F: "a/p"}[gender]
        full = f"{rng.choice(INDIAN_GIVEN[gender])} {link} {rng.choice(INDIAN_FAMILY)}"
    else:
        full = f"{rng.choice(INDIAN_GIVEN[gender])} {rng.choice(INDIAN_FAMILY)}"
    return DemoName(country, full, "", gender)


def _one(country: str, rng: random.Random) -> DemoName:
    if country in PATTERNS:
        return _composed(country, rng)
    if country == "MM":
        gender = rng.choice([_M, _F])
        first = rng.choice(MM_FIRST[gender])
        rest = rng.sample(MM_REST, 2)
        parts = [first, *rest]
        return DemoName(
            country, "".join(p[0] for p in parts), " ".join(p[1] for p in parts), gender
        )
    given, given_latin, gender = rng.choice(GIVEN[country])
    family, family_latin = rng.choice(FAMILY[country])
    given_latin = given_latin or given
    family_latin = family_latin or family
    if country == "VN":
        middle, _latin = rng.choice(VN_MIDDLE[gender])
        full = f"{family} {middle} {given}"
        return DemoName(country, full, _ascii(full), gender)
    if country in FAMILY_FIRST:
        full, latin = f"{family} {given}", f"{family_latin} {given_latin}"
    else:
        full, latin = f"{given} {family}", f"{given_latin} {family_latin}"
    needs_latin = country in NON_LATIN or latin != full
    return DemoName(country, full, latin if needs_latin else "", gender)


def participants(countries: list[str], total: int, rng: random.Random) -> list[DemoName]:
    """``total`` invented participants spread evenly over ``countries``, names all distinct."""
    out: list[DemoName] = []
    seen: set[str] = set()
    for n in range(total):
        country = countries[n % len(countries)]
        for _try in range(50):
            name = _one(country, rng)
            if name.full_name not in seen:
                break
        seen.add(name.full_name)
        out.append(name)
    return out


# Trainers and expert speakers from around the world: (country, name, Latin name, gender,
# affiliation, role). Every name is invented.
EXPERT_AFFILIATIONS: dict[str, list[tuple[str, str]]] = {
    "JP": [("National Police Agency, Cyber Affairs (synthetic)", "police_cyber_unit")],
    "KR": [("Korean National Police University, Cyber Lab (synthetic)", "academia")],
    "IN": [("Indian Institute of Digital Forensics (synthetic)", "academia")],
    "LK": [("Sri Lanka CERT|CC (synthetic)", "cert")],
    "AU": [("Australian Cybercrime Training College (synthetic)", "academia")],
    "NZ": [("New Zealand Police Digital Forensics (synthetic)", "police_cyber_unit")],
    "FJ": [("Pacific Cybercrime Legal Network (synthetic)", "international")],
    "PG": [("Royal PNG Constabulary Cyber Unit (synthetic)", "police_cyber_unit")],
    "BR": [("Federal Police Cybercrime Directorate (synthetic)", "police_cyber_unit")],
    "CL": [("Public Prosecutor's Cybercrime Unit (synthetic)", "prosecution")],
    "KE": [("Africa Cyber Forensics Institute (synthetic)", "academia")],
    "NG": [("West Africa Cybercrime Prosecution Network (synthetic)", "international")],
    "SG": [
        ("Regional Cyber Capacity Centre (synthetic)", "international"),
        ("Threat Intelligence Company (synthetic)", "private_sector"),
    ],
}
EXPERT_NAMES: dict[str, list[tuple[str, str, str]]] = {
    "JP": [
        ("山田 健一", "Yamada Ken'ichi", _M),
        ("佐藤 美咲", "Sato Misaki", _F),
        ("鈴木 大輔", "Suzuki Daisuke", _M),
        ("高橋 由美", "Takahashi Yumi", _F),
        ("中村 翔", "Nakamura Sho", _M),
    ],
    "KR": [
        ("김민준", "Kim Min-jun", _M),
        ("이서연", "Lee Seo-yeon", _F),
        ("박지훈", "Park Ji-hoon", _M),
        ("최수빈", "Choi Su-bin", _F),
        ("정하늘", "Jung Ha-neul", _F),
    ],
    "IN": [
        ("Ananya Iyer", "", _F),
        ("Rahul Mehta", "", _M),
        ("Kavya Reddy", "", _F),
        ("Vikram Singh", "", _M),
        ("Sanjay Krishnan", "", _M),
    ],
    "LK": [
        ("Nimal Perera", "", _M),
        ("Dilani Jayasinghe", "", _F),
        ("Ruwan Fernando", "", _M),
        ("Ishara Wickramasinghe", "", _F),
    ],
    "AU": [
        ("Sarah Mitchell", "", _F),
        ("James O'Connor", "", _M),
        ("Emily Nguyen", "", _F),
        ("Michael Brooks", "", _M),
        ("Olivia Hart", "", _F),
    ],
    "NZ": [
        ("Aroha Ngata", "", _F),
        ("Tom Walker", "", _M),
        ("Hannah Reid", "", _F),
        ("Rawiri Tane", "", _M),
    ],
    "FJ": [("Litia Vuniwaqa", "", _F), ("Josefa Ratu", "", _M), ("Mere Tabua", "", _F)],
    "PG": [("Joseph Kila", "", _M), ("Grace Wambi", "", _F), ("Peter Kaupa", "", _M)],
    "BR": [
        ("Ana Carolina Souza", "", _F),
        ("João Pedro Lima", "Joao Pedro Lima", _M),
        ("Fernanda Oliveira", "", _F),
        ("Rafael Costa", "", _M),
    ],
    "CL": [
        ("Catalina Muñoz", "Catalina Munoz", _F),
        ("Matías Rojas", "Matias Rojas", _M),
        ("Valentina Díaz", "Valentina Diaz", _F),
    ],
    "KE": [
        ("Wanjiru Kamau", "", _F),
        ("Otieno Ochieng", "", _M),
        ("Achieng Odhiambo", "", _F),
        ("Kiprono Rotich", "", _M),
    ],
    "NG": [
        ("Chiamaka Okafor", "", _F),
        ("Babatunde Adeyemi", "", _M),
        ("Ngozi Eze", "", _F),
        ("Ibrahim Musa", "", _M),
    ],
}
EXPERT_ROLES = [
    "Senior lecturer in digital forensics",
    "Head of cybercrime investigations",
    "Cybercrime prosecutor",
    "Malware analyst",
    "Programme adviser on international cooperation",
    "Mobile forensics examiner",
    "Cryptocurrency investigator",
    "Incident response lead",
]


def experts(members: list[str], per_member: int, rng: random.Random) -> list[DemoName]:
    """The guest countries' named experts, then ``per_member`` invented ones per member."""
    out = [
        DemoName(country, full, latin, gender)
        for country, names in EXPERT_NAMES.items()
        for full, latin, gender in names
    ]
    seen = {x.full_name for x in out}
    for country in members:
        for _n in range(per_member):
            for _try in range(50):
                name = _one(country, rng)
                if name.full_name not in seen:
                    break
            seen.add(name.full_name)
            out.append(name)
    return out
