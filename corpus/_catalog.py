# ruff: noqa: E501  (long written text)
"""Kestrel Bank product catalogue, staff and name pools (written for kcrm).

Prices are in GBP: what the customer pays per purchase or per month (monthly
subscriptions appear as one purchase line per month). For loans and the
overdraft, price is the average monthly interest paid. `cost` is Kestrel's cost
of serving one unit, so margin = price - cost.
"""

from __future__ import annotations

# id, name, category, description, price, cost, active, repeatable
PRODUCTS: list[tuple[str, str, str, str, float, float, bool, bool]] = [
    ("prod-standard-card", "Standard Visa debit card", "cards",
     "Kestrel's everyday Visa debit card, free with every account and delivered free in 3-5 working days in the UK.", 0.00, 3.20, True, False),
    ("prod-metal-card", "Kestrel Metal card", "cards",
     "An 18-gram stainless-steel Visa debit card; GBP 49 one-off, included with the Metal plan.", 49.00, 16.00, True, False),
    ("prod-virtual-card", "Virtual Visa card", "cards",
     "A free virtual card created instantly in the app for online payments and Apple Pay or Google Pay.", 0.00, 0.05, True, False),
    ("prod-disposable-card", "Disposable virtual card", "cards",
     "A single-use virtual card whose details change after every payment, included with Plus, Premium and Metal.", 0.00, 0.02, True, True),
    ("prod-spare-card", "Spare physical card", "cards",
     "An additional physical card on the same account; GBP 5, free on Premium and Metal.", 5.00, 3.20, True, False),
    ("prod-express-delivery", "Express card delivery", "cards",
     "Tracked card delivery in 1-2 working days to UK addresses.", 4.99, 3.10, True, True),
    ("prod-card-replacement", "Replacement card", "cards",
     "A replacement for a lost or damaged card; GBP 5, free on Premium and Metal.", 5.00, 3.20, True, True),
    ("prod-custom-card", "Personalised card design", "cards",
     "Put your own photo or artwork on your Kestrel Visa debit card.", 9.99, 4.10, True, False),
    ("prod-cashback-card", "Cashback card (withdrawn)", "cards",
     "A Visa debit card paying 1% cashback on GBP card payments; withdrawn in January 2026.", 2.99, 2.40, False, True),
    ("prod-current-account", "Kestrel current account", "accounts",
     "A free current account with a UK sort code and account number, holding 32 currencies.", 0.00, 0.40, True, False),
    ("prod-euro-iban", "Euro account with IBAN", "accounts",
     "A euro account with its own IBAN for SEPA payments and salaries in euros.", 0.00, 0.30, True, False),
    ("prod-joint-account", "Joint account", "accounts",
     "A free shared account for two adults, each with their own card.", 0.00, 0.40, True, False),
    ("prod-junior-account", "Kestrel Junior account", "accounts",
     "A free account and card for children aged 7-17, managed by a parent.", 0.00, 0.35, True, False),
    ("prod-business-account", "Kestrel Business account", "accounts",
     "A business current account for sole traders and limited companies, with Mastercard business cards.", 0.00, 1.20, True, False),
    ("prod-intl-transfer-bundle", "International Transfer Bundle", "accounts",
     "Ten international transfers without the GBP 1.50 fee, valid for 90 days.", 9.99, 2.50, True, True),
    ("prod-plus-plan", "Plus plan", "subscriptions",
     "GBP 3.99 a month: GBP 3,000 fee-free exchange, GBP 400 free ATM withdrawals and disposable virtual cards.", 3.99, 1.10, True, True),
    ("prod-premium-plan", "Premium plan", "subscriptions",
     "GBP 7.99 a month: unlimited weekday exchange, GBP 600 free ATM withdrawals, free express delivery and replacement cards.", 7.99, 2.60, True, True),
    ("prod-metal-plan", "Metal plan", "subscriptions",
     "GBP 14.99 a month: everything in Premium plus the Metal card, GBP 800 free ATM withdrawals and fee-free international transfers.", 14.99, 5.40, True, True),
    ("prod-business-grow-plan", "Business Grow plan", "subscriptions",
     "GBP 25 a month for business accounts: up to 10 team cards, GBP 10,000 fee-free exchange and GBP 400 free ATM withdrawals a month, and 50 free international transfers.", 25.00, 7.50, True, True),
    ("prod-legacy-premium-plan", "Premium 2021 plan (closed)", "subscriptions",
     "The 2021 Premium plan at GBP 6.99 a month, closed in February 2026 with members moved to Premium.", 6.99, 2.60, False, True),
    ("prod-fx-pack", "FX Pack", "subscriptions",
     "GBP 5,000 of extra fee-free currency exchange for 30 days, for Standard and Plus customers.", 4.99, 0.60, True, True),
    ("prod-travel-esim", "Travel data eSIM", "subscriptions",
     "5 GB of mobile data for 30 days in more than 100 countries, installed from the app.", 7.99, 4.20, True, True),
    ("prod-travel-insurance", "Single-trip travel insurance", "insurance",
     "Medical, cancellation and baggage cover for one trip of up to 31 days, in Europe or worldwide.", 11.99, 6.50, True, True),
    ("prod-annual-travel-insurance", "Annual multi-trip travel insurance", "insurance",
     "Worldwide cover for any number of trips of up to 45 days each for 12 months.", 59.00, 31.00, True, False),
    ("prod-gadget-insurance", "Gadget insurance", "insurance",
     "Monthly cover for your phone, laptop and tablet against theft, loss and accidental damage.", 6.99, 3.90, True, True),
    ("prod-purchase-protection", "Purchase protection", "insurance",
     "Monthly cover for items bought with your Kestrel card against theft and damage, up to GBP 2,500 a year.", 1.99, 0.70, True, True),
    ("prod-car-hire-excess", "Car hire excess cover", "insurance",
     "Reimburses the excess you pay on a hire car after damage or theft, per rental.", 4.99, 1.80, True, True),
    ("prod-savings-vault", "Easy-access Savings Vault", "savings",
     "A savings vault paying 3.75% AER (variable) with instant access to your money.", 0.00, 0.10, True, False),
    ("prod-fixed-saver", "12-month Fixed Saver", "savings",
     "A fixed-rate savings account paying 4.40% AER for 12 months, from GBP 500.", 0.00, 0.10, True, False),
    ("prod-round-ups", "Spare-change round-ups", "savings",
     "Rounds up every card payment to the nearest pound and saves the difference in a vault.", 0.00, 0.02, True, False),
    ("prod-cash-isa", "Easy-access Cash ISA", "savings",
     "A tax-free easy-access Cash ISA paying 3.90% AER (variable).", 0.00, 0.10, True, False),
    ("prod-personal-loan", "Kestrel Personal Loan", "lending",
     "A fixed-rate loan of GBP 1,000-25,000 over 12-60 months, representative 7.9% APR.", 38.50, 14.00, True, False),
    ("prod-credit-builder", "Credit Builder", "lending",
     "A GBP 4.99 monthly subscription that reports on-time payments to credit reference agencies.", 4.99, 1.30, True, True),
    ("prod-overdraft", "Arranged overdraft", "lending",
     "An arranged overdraft of up to GBP 2,000 at 29.9% EAR (variable).", 6.50, 2.10, True, False),
    ("prod-stocks", "Kestrel Invest share dealing", "investing",
     "Buy UK and US shares: one commission-free trade a month, then GBP 1 per trade.", 1.00, 0.35, True, True),
    ("prod-stocks-isa", "Stocks and Shares ISA", "investing",
     "A tax-free ISA invested in index funds, with a 0.25% yearly platform fee charged monthly.", 2.50, 0.90, True, True),
    ("prod-crypto", "Kestrel Crypto", "investing",
     "Buy, sell and hold more than 40 cryptoassets for a 1.49% fee per trade.", 2.99, 0.80, True, True),
    ("prod-gold", "Gold and silver", "investing",
     "Buy and hold fractions of allocated gold and silver from GBP 1.", 1.99, 0.50, True, True),
]

AGENTS: list[str] = [
    "Amelia Hart", "Daniel Okafor", "Sofia Marques", "James Whitfield", "Priya Nair",
    "Tomasz Kowal", "Chloe Bennett", "Liam Byrne", "Mei Lin Zhou", "Oliver Grant",
    "Aisha Rahman", "Lukas Becker",
]

_GB_CITIES = ["London", "Manchester", "Birmingham", "Leeds", "Bristol", "Edinburgh", "Glasgow", "Cardiff",
              "Liverpool", "Sheffield", "Nottingham", "Brighton", "Belfast", "Cambridge"]

# (country code, weight, first names, last names, cities); several pools per country keep names coherent
NAME_POOLS: list[tuple[str, int, list[str], list[str], list[str]]] = [
    ("GB", 38, ["Oliver", "Amelia", "Harry", "Isla", "Jack", "Ava", "George", "Emily", "Noah", "Grace",
                "Charlie", "Sophie", "Thomas", "Lucy", "Ethan", "Hannah", "Rhys", "Ffion", "Callum", "Eilidh"],
     ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright",
      "Davies", "Hughes", "MacDonald", "Campbell", "Murray", "Clarke", "Hall", "Green"], _GB_CITIES),
    ("GB", 7, ["Priya", "Arjun", "Aisha", "Omar", "Zara", "Imran", "Anjali", "Ravi"],
     ["Patel", "Shah", "Khan", "Hussain", "Sharma", "Ahmed", "Begum", "Singh"], _GB_CITIES),
    ("GB", 6, ["Wei", "Hui Min", "Jun", "Mei", "Hao", "Xin Yi", "Jing", "Kai"],
     ["Chen", "Wong", "Li", "Zhou", "Liu", "Huang", "Lin", "Zhang"], _GB_CITIES),
    ("GB", 4, ["Chidi", "Ngozi", "Tunde", "Adaeze", "Emeka", "Folake"],
     ["Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Adebayo"], _GB_CITIES),
    ("IE", 7, ["Aoife", "Cian", "Niamh", "Oisin", "Saoirse", "Conor", "Ciara", "Darragh"],
     ["Murphy", "Kelly", "O'Sullivan", "Walsh", "Byrne", "Ryan", "O'Brien", "Doyle"],
     ["Dublin", "Cork", "Galway", "Limerick"]),
    ("FR", 8, ["Camille", "Louis", "Chloé", "Hugo", "Léa", "Jules", "Manon", "Théo"],
     ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Roux"],
     ["Paris", "Lyon", "Marseille", "Toulouse", "Bordeaux", "Lille"]),
    ("DE", 7, ["Lukas", "Mia", "Leon", "Hannah", "Felix", "Lena", "Jonas", "Marie"],
     ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann"],
     ["Berlin", "Munich", "Hamburg", "Cologne", "Frankfurt"]),
    ("ES", 6, ["Lucía", "Hugo", "Martina", "Pablo", "Sofía", "Álvaro", "Carmen", "Diego"],
     ["García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro", "Torres"],
     ["Madrid", "Barcelona", "Valencia", "Seville", "Málaga"]),
    ("IT", 5, ["Giulia", "Lorenzo", "Chiara", "Matteo", "Francesca", "Alessandro", "Sara", "Marco"],
     ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"],
     ["Milan", "Rome", "Turin", "Bologna", "Florence"]),
    ("NL", 4, ["Daan", "Emma", "Sem", "Julia", "Lars", "Sanne"],
     ["de Jong", "Jansen", "de Vries", "van Dijk", "Bakker", "Visser"],
     ["Amsterdam", "Rotterdam", "Utrecht", "The Hague"]),
    ("PL", 4, ["Zofia", "Jakub", "Maja", "Kacper", "Julia", "Szymon"],
     ["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamińska", "Lewandowski"],
     ["Warsaw", "Kraków", "Wrocław", "Gdańsk"]),
    ("PT", 3, ["Beatriz", "Rodrigo", "Inês", "Tiago", "Mariana", "Duarte"],
     ["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa"],
     ["Lisbon", "Porto", "Braga"]),
]
CHINESE_SURNAMES: set[str] = {"Chen", "Wong", "Li", "Zhou", "Liu", "Huang", "Lin", "Zhang"}

BUSINESS_WORDS: list[str] = [
    "Design Studio", "Coffee Co", "Plumbing", "Consulting", "Bakery", "Digital", "Logistics",
    "Florist", "Architects", "Joinery", "Catering", "Photography", "Tutoring", "Bikes",
]

MERCHANTS: list[str] = [
    "Northgate Grocers", "Bluepeak Airlines", "Cityline Taxis", "Mossley Hotels", "Fernway Electronics",
    "Harbour Coffee", "Streamly", "Brightmart", "Quayside Books", "Urbanfit Gym", "Parkside Pharmacy",
    "Skyhop Travel", "Marlow Fashion", "GreenBasket Online", "Rivermoor Fuel", "TicketNest",
]

CURRENCIES: list[str] = ["EUR", "USD", "CHF", "PLN", "JPY", "AUD", "CAD", "SEK", "NOK", "CZK", "HUF", "TRY", "THB", "AED"]

TRAVEL_CITIES: list[str] = [
    "Lisbon", "Barcelona", "Paris", "Rome", "Amsterdam", "Prague", "Budapest", "Kraków", "New York",
    "Dubai", "Bangkok", "Zurich", "Istanbul", "Tokyo", "London", "Manchester",
]

# Other names customers and agents use; products.csv `aliases` (kcrm tags records mentioning them)
ALIASES: dict[str, list[str]] = {
    "prod-standard-card": ["Standard card"],
    "prod-metal-card": ["Metal card", "金属卡"],
    "prod-virtual-card": ["virtual card", "虚拟卡"],
    "prod-disposable-card": ["disposable card", "disposable virtual card", "一次性虚拟卡"],
    "prod-spare-card": ["spare card", "additional card"],
    "prod-express-delivery": ["express delivery", "加急寄送"],
    "prod-card-replacement": ["replacement card", "补卡"],
    "prod-custom-card": ["personalised card", "custom card design"],
    "prod-cashback-card": ["Cashback card"],
    "prod-current-account": ["current account"],
    "prod-euro-iban": ["euro account", "EUR account"],
    "prod-joint-account": ["joint account"],
    "prod-junior-account": ["Kestrel Junior", "Junior account"],
    "prod-business-account": ["business account"],
    "prod-intl-transfer-bundle": ["transfer bundle"],
    "prod-plus-plan": ["Plus plan", "Plus 套餐"],
    "prod-premium-plan": ["Premium plan", "Premium 套餐"],
    "prod-metal-plan": ["Metal plan"],
    "prod-business-grow-plan": ["Business Grow"],
    "prod-legacy-premium-plan": ["Premium 2021"],
    "prod-fx-pack": ["FX Pack"],
    "prod-travel-esim": ["eSIM"],
    "prod-travel-insurance": ["travel insurance", "旅行保险"],
    "prod-annual-travel-insurance": ["annual travel insurance", "multi-trip insurance"],
    "prod-gadget-insurance": ["gadget insurance", "phone insurance"],
    "prod-purchase-protection": ["purchase protection"],
    "prod-car-hire-excess": ["car hire excess", "hire car excess"],
    "prod-savings-vault": ["savings vault", "Savings Vault"],
    "prod-fixed-saver": ["Fixed Saver"],
    "prod-round-ups": ["round-ups", "spare change"],
    "prod-cash-isa": ["Cash ISA"],
    "prod-personal-loan": ["personal loan", "个人贷款", "借款"],
    "prod-credit-builder": ["Credit Builder"],
    "prod-overdraft": ["overdraft", "透支"],
    "prod-stocks": ["share dealing", "shares"],
    "prod-stocks-isa": ["Stocks and Shares ISA", "Stocks & Shares ISA"],
    "prod-crypto": ["crypto", "cryptoassets", "Kestrel Crypto"],
    "prod-gold": ["gold", "silver"],
}

# Product rules the recommender enforces (docs/formats.md): product id → link → product ids.
# Plans are tiers (Metal > Premium > Plus); the Premium plan took over the closed 2021 plan;
# annual cover replaces single-trip cover; the Business Grow plan is a business customer's
# plan instead of a personal one.
RULES: dict[str, dict[str, list[str]]] = {
    "prod-premium-plan": {
        "upgrade_of": ["prod-plus-plan"],
        "replaces": ["prod-legacy-premium-plan"],
    },
    "prod-metal-plan": {"upgrade_of": ["prod-premium-plan"]},
    "prod-metal-card": {"upgrade_of": ["prod-standard-card"]},
    "prod-annual-travel-insurance": {"replaces": ["prod-travel-insurance"]},
    "prod-business-grow-plan": {
        "conflicts_with": ["prod-plus-plan", "prod-premium-plan", "prod-metal-plan"]
    },
}
