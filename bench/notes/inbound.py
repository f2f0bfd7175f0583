#!/usr/bin/env python3
"""Write inbound customer emails, replies, forwards, web forms, app chat, social DMs, SMS and
voicemail transcripts as they reach a help desk, each wrapping a short banking question.
Written blind for kcrm's quality checks, without reference to kcrm's note reader.
Usage: python inbound.py --in IN.jsonl --out OUT.jsonl --seed 5 [--style-field]
"""

# Each output row = input row + "plain" (original text) with "text" replaced by the generated
# message; --style-field also writes the chosen style name as "style".  Standard library only;
# deterministic for a given seed.

import argparse
import datetime
import json
import random
import re
import textwrap

BANK = "Kestrel"
BANK_DOMAINS = ["kestrelbank.com", "kestrel.co.uk", "mail.kestrelbank.com"]
SUPPORT_SENDERS = [
    ("Kestrel Support", "help@kestrelbank.com"),
    ("Kestrel Customer Care", "support@kestrel.co.uk"),
    ("Kestrel Help", "help@kestrel.co.uk"),
    ("Kestrel Support Team", "no-reply@kestrelbank.com"),
    ("Kestrel", "care@mail.kestrelbank.com"),
]
AGENTS = [
    "Priya",
    "Tom",
    "Aisha",
    "Marek",
    "Chloe",
    "Daniel",
    "Sofia",
    "Jamal",
    "Hannah",
    "Luis",
    "Megan",
    "Oliver",
    "Yusuf",
    "Grace",
    "Ben",
    "Leila",
]

FIRST = [
    "James",
    "Sarah",
    "Mohammed",
    "Emily",
    "David",
    "Olivia",
    "Daniel",
    "Sophie",
    "Michael",
    "Aisha",
    "Tom",
    "Chloe",
    "Raj",
    "Hannah",
    "Lukas",
    "Maria",
    "Chris",
    "Jessica",
    "Ahmed",
    "Laura",
    "Kevin",
    "Fatima",
    "Ryan",
    "Zoe",
    "Patrick",
    "Ngozi",
    "Wei",
    "Isabel",
    "Connor",
    "Anya",
    "Gareth",
    "Priya",
    "Marco",
    "Eleanor",
    "Samuel",
    "Lucy",
    "Tariq",
    "Niamh",
    "Ben",
    "Katarzyna",
    "Jorge",
    "Amelia",
    "Dean",
    "Rosa",
]
LAST = [
    "Smith",
    "Patel",
    "Jones",
    "Williams",
    "Khan",
    "Brown",
    "Taylor",
    "Nowak",
    "Murphy",
    "O'Connor",
    "Garcia",
    "Chen",
    "Davies",
    "Evans",
    "Ahmed",
    "Wilson",
    "Thompson",
    "Rossi",
    "Walker",
    "Wright",
    "Okafor",
    "Hughes",
    "Kowalski",
    "Green",
    "Baker",
    "Singh",
    "Hall",
    "Lewis",
    "Müller",
    "Fernandes",
    "Clarke",
    "Robinson",
    "Mitchell",
    "Ward",
    "Campbell",
    "Lopez",
    "Kaur",
    "Fraser",
    "Dubois",
    "Bennett",
]
MAIL_DOMAINS = [
    "gmail.com",
    "outlook.com",
    "hotmail.co.uk",
    "yahoo.com",
    "icloud.com",
    "btinternet.com",
    "live.com",
    "protonmail.com",
    "gmx.de",
    "aol.com",
]
COMPANIES = [
    ("Harbourline Logistics Ltd", "harbourline.co.uk"),
    ("Brightwater Dental Practice", "brightwaterdental.com"),
    ("Northgate Property Management", "northgatepm.co.uk"),
    ("Pemberton & Hale LLP", "pembertonhale.com"),
    ("Cobalt Creative Studio", "cobaltcreative.io"),
    ("Greenfield Primary School", "greenfield.sch.uk"),
    ("Atlas Engineering Group", "atlas-eng.com"),
    ("Moss & Ivy Florists", "mossandivy.co.uk"),
    ("Vantage Software Solutions", "vantagesoft.com"),
    ("St. Aldric's Hospital Trust", "staldrics.nhs.uk"),
    ("Redfern Construction", "redfernbuild.co.uk"),
    ("Lumen Analytics GmbH", "lumen-analytics.de"),
    ("Oakridge Veterinary Clinic", "oakridgevets.com"),
    ("Tidewell Marine Services", "tidewellmarine.com"),
    ("Sparrow & Finch Bakery", "sparrowfinch.co.uk"),
    ("Meridian Recruitment", "meridianrecruit.com"),
]
TITLES = [
    "Operations Manager",
    "Senior Accountant",
    "Office Administrator",
    "Project Coordinator",
    "Head of Marketing",
    "Software Engineer",
    "Practice Manager",
    "Teaching Assistant",
    "Sales Director",
    "HR Business Partner",
    "Site Supervisor",
    "Owner",
    "Director",
    "Customer Success Lead",
    "Paralegal",
    "Staff Nurse",
    "Procurement Officer",
    "Graphic Designer",
    "Data Analyst",
    "Facilities Coordinator",
]
STREETS = [
    "12 Kingfisher Way, Bristol BS1 4QD",
    "Unit 4, Riverside Business Park, Leeds LS11 5DN",
    "88 Castle Street, Edinburgh EH2 3AH",
    "3rd Floor, 27 Old Street, London EC1V 9HL",
    "Suite 210, 400 Market Street, Manchester M1 1PX",
    "14 Harbour Road, Cork T12 X2YE",
    "Friedrichstraße 120, 10117 Berlin",
    "55 High Street, Guildford GU1 3DY",
    "The Old Mill, Mill Lane, Bath BA2 6TA",
    "1450 Broadway, Suite 900, New York, NY 10018",
    "7 Queen's Parade, Cardiff CF10 2GH",
    "Calle de Alcalá 45, 28014 Madrid",
]
CITIES = [
    "London",
    "Manchester",
    "Leeds",
    "Bristol",
    "Glasgow",
    "Dublin",
    "Cardiff",
    "Birmingham",
    "Brighton",
    "Nottingham",
]

# --------------------------------------------------------------------------
# Category families -> used to keep quoted support messages on a DIFFERENT
# topic than the customer's question, and for optional web-form topic labels.
# --------------------------------------------------------------------------
FAMILIES = {
    "CARD_DELIVERY": [
        "card_arrival",
        "card_delivery_estimate",
        "order_physical_card",
        "get_physical_card",
        "getting_spare_card",
        "activate_my_card",
        "card_linking",
        "card_about_to_expire",
        "country_support",
        "lost_or_stolen_card",
    ],
    "CARD_PROBLEMS": [
        "card_not_working",
        "contactless_not_working",
        "virtual_card_not_working",
        "card_acceptance",
        "declined_card_payment",
        "card_swallowed",
        "pin_blocked",
        "change_pin",
        "compromised_card",
        "lost_or_stolen_card",
        "apple_pay_or_google_pay",
        "visa_or_mastercard",
        "supported_cards_and_currencies",
    ],
    "VIRTUAL": [
        "getting_virtual_card",
        "get_disposable_virtual_card",
        "disposable_card_limits",
        "virtual_card_not_working",
    ],
    "TOPUP": [
        "automatic_top_up",
        "pending_top_up",
        "top_up_by_bank_transfer_charge",
        "top_up_by_card_charge",
        "top_up_by_cash_or_cheque",
        "top_up_failed",
        "top_up_limits",
        "top_up_reverted",
        "topping_up_by_card",
        "verify_top_up",
        "balance_not_updated_after_cheque_or_cash_deposit",
        "card_linking",
        "apple_pay_or_google_pay",
        "transfer_into_account",
        "supported_cards_and_currencies",
    ],
    "TRANSFER": [
        "balance_not_updated_after_bank_transfer",
        "beneficiary_not_allowed",
        "cancel_transfer",
        "declined_transfer",
        "failed_transfer",
        "pending_transfer",
        "transfer_fee_charged",
        "transfer_into_account",
        "transfer_not_received_by_recipient",
        "transfer_timing",
        "receiving_money",
        "top_up_by_bank_transfer_charge",
    ],
    "FX": [
        "card_payment_wrong_exchange_rate",
        "exchange_charge",
        "exchange_rate",
        "exchange_via_app",
        "fiat_currency_support",
        "wrong_exchange_rate_for_cash_withdrawal",
        "country_support",
        "supported_cards_and_currencies",
    ],
    "CASH": [
        "atm_support",
        "cash_withdrawal_charge",
        "cash_withdrawal_not_recognised",
        "declined_cash_withdrawal",
        "pending_cash_withdrawal",
        "wrong_amount_of_cash_received",
        "wrong_exchange_rate_for_cash_withdrawal",
        "card_swallowed",
    ],
    "PAYMENTS": [
        "card_payment_fee_charged",
        "card_payment_not_recognised",
        "direct_debit_payment_not_recognised",
        "extra_charge_on_statement",
        "pending_card_payment",
        "transaction_charged_twice",
        "request_refund",
        "Refund_not_showing_up",
        "reverted_card_payment?",
        "compromised_card",
        "cash_withdrawal_not_recognised",
        "card_payment_wrong_exchange_rate",
        "declined_card_payment",
    ],
    "FEES": [
        "card_payment_fee_charged",
        "cash_withdrawal_charge",
        "transfer_fee_charged",
        "exchange_charge",
        "top_up_by_bank_transfer_charge",
        "top_up_by_card_charge",
        "extra_charge_on_statement",
    ],
    "ID": [
        "unable_to_verify_identity",
        "verify_my_identity",
        "why_verify_identity",
        "verify_source_of_funds",
        "age_limit",
        "verify_top_up",
    ],
    "ACCOUNT": [
        "edit_personal_details",
        "passcode_forgotten",
        "lost_or_stolen_phone",
        "terminate_account",
        "age_limit",
    ],
}
CAT2FAM = {}
for _fam, _cats in FAMILIES.items():
    for _c in _cats:
        CAT2FAM.setdefault(_c, []).append(_fam)


def families_of(cat):
    if cat in CAT2FAM:
        return set(CAT2FAM[cat])
    c = (cat or "").lower()
    fams = set()
    for kw, fam in [
        ("top_up", "TOPUP"),
        ("transfer", "TRANSFER"),
        ("exchange", "FX"),
        ("cash", "CASH"),
        ("atm", "CASH"),
        ("virtual", "VIRTUAL"),
        ("card", "CARD_PROBLEMS"),
        ("card", "CARD_DELIVERY"),
        ("verif", "ID"),
        ("identity", "ID"),
        ("refund", "PAYMENTS"),
        ("payment", "PAYMENTS"),
        ("charge", "FEES"),
        ("fee", "FEES"),
        ("account", "ACCOUNT"),
    ]:
        if kw in c:
            fams.add(fam)
    if not fams:
        fams.add("UNKNOWN")  # -> only generic support messages allowed
    return fams


FORM_TOPIC_BY_FAMILY = {
    "CARD_DELIVERY": ["Cards", "My card"],
    "CARD_PROBLEMS": ["Cards", "My card"],
    "VIRTUAL": ["Cards"],
    "TOPUP": ["Adding money", "Top-ups"],
    "TRANSFER": ["Payments & transfers", "Sending and receiving money"],
    "FX": ["Currencies & exchange"],
    "CASH": ["Cash & ATMs"],
    "PAYMENTS": ["Transactions", "Payments & transfers"],
    "FEES": ["Fees & charges"],
    "ID": ["Verification"],
    "ACCOUNT": ["My account", "Account & profile"],
}
FORM_TOPIC_GENERIC = [
    "General enquiry",
    "Other",
    "Something else",
    "Account query",
    "Existing customer - help",
    "Question",
    "Support request",
    "Please select...",
    "General",
]

# --------------------------------------------------------------------------
# Support-side messages (quoted in replies / forwards).  Each has a set of
# families; it is only used when it shares no family with the row's category.
# {first}, {agent}, {date}, {ref}, {amount} are filled in.
# --------------------------------------------------------------------------
SUPPORT_MSGS = [
    (
        set(),
        "Your Kestrel enquiry [ref: {ref}]",
        "Hi {first},\n\nThanks for contacting Kestrel. We've received your message and a member of "
        "our team will get back to you within 2 working days.\n\nYour reference number is {ref}. "
        "Please keep this in the subject line if you write to us again.\n\nKind regards,\n"
        "The Kestrel Support Team",
    ),
    (
        set(),
        "We've closed your conversation",
        "Hi {first},\n\nWe haven't heard back from you for a few days, so we've closed this "
        "conversation. If you still need help, just reply to this email and it will be reopened "
        "automatically.\n\nThanks,\n{agent}\nKestrel Customer Care",
    ),
    (
        set(),
        "How did we do?",
        "Hi {first},\n\nYou recently spoke to {agent} from our support team. We'd love to know how "
        "we did - it only takes a minute.\n\nRate your experience: Great / OK / Not good\n\n"
        "Thanks for banking with Kestrel.",
    ),
    (
        set(),
        "Re: Your message to Kestrel",
        "Hello {first},\n\nThank you for your patience. I'm pleased I could help today. Is there "
        "anything else I can do for you? If not, no need to reply and I'll close this off.\n\n"
        "Have a lovely rest of your week.\n\n{agent}\nKestrel Support",
    ),
    (
        set(),
        "Update on your case {ref}",
        "Hi {first},\n\nJust a quick note to say your case {ref} has been resolved. If anything "
        "else comes up, you can reach us any time in the app under Help, or by replying to this "
        "email.\n\nBest wishes,\n{agent} | Kestrel",
    ),
    (
        {"CARD_DELIVERY"},
        "Your replacement card is on its way",
        "Hi {first},\n\nI can confirm a replacement card was dispatched to the address on your "
        "profile on {date}. Delivery normally takes 3-5 working days. Once it arrives you can "
        "activate it in the app.\n\nKind regards,\n{agent}\nKestrel Support",
    ),
    (
        {"ACCOUNT"},
        "Your details have been updated",
        "Hi {first},\n\nThanks for sending that over. I've updated the postal address on your "
        "profile, and you should see the change in the app within the next hour.\n\nAll the "
        "best,\n{agent}\nKestrel Customer Care",
    ),
    (
        {"ACCOUNT"},
        "Your passcode has been reset",
        "Hi {first},\n\nAs requested, we've reset your app passcode. Next time you open the app "
        "you'll be asked to choose a new one. If you didn't request this, please contact us "
        "straight away.\n\nThanks,\n{agent}\nKestrel Security Team",
    ),
    (
        {"ID"},
        "Identity verification complete",
        "Hi {first},\n\nGood news - we've checked the documents you sent and your identity "
        "verification is now complete. All features of your account are now available.\n\n"
        "Kind regards,\n{agent}\nKestrel Onboarding",
    ),
    (
        {"TRANSFER"},
        "About your transfer of {amount}",
        "Hi {first},\n\nI've looked into this for you and can confirm the transfer of {amount} "
        "was completed on {date} and has been received by the recipient's bank.\n\nLet me know "
        "if there's anything else.\n\n{agent}\nKestrel Support",
    ),
    (
        {"TOPUP"},
        "Your top-up has been credited",
        "Hi {first},\n\nThanks for waiting. The top-up of {amount} has now been credited to your "
        "account and should be showing in your balance.\n\nBest regards,\n{agent}\nKestrel",
    ),
    (
        {"FX", "FEES"},
        "Re: Exchange rates",
        "Hi {first},\n\nOur exchange rates are updated throughout the day in line with the "
        "market. You can see the rate that applies before you confirm any exchange in the app."
        "\n\nKind regards,\n{agent}\nKestrel Support",
    ),
    (
        {"CASH", "FEES"},
        "Re: ATM withdrawals",
        "Hi {first},\n\nOn your current plan you can withdraw up to £200 a month from ATMs "
        "without a fee. After that a 2% fee applies.\n\nHope that helps,\n{agent}\nKestrel "
        "Support",
    ),
    (
        {"PAYMENTS"},
        "Update on your dispute {ref}",
        "Hi {first},\n\nWe've raised a chargeback with the merchant for the payment on {date}. "
        "These usually take up to 45 days to resolve and we'll email you as soon as we hear back."
        "\n\nKind regards,\n{agent}\nKestrel Disputes Team",
    ),
    (
        {"PAYMENTS"},
        "Your refund",
        "Hi {first},\n\nThe merchant has confirmed they processed a refund of {amount} on {date}. "
        "It's now showing on your account.\n\nThanks,\n{agent}\nKestrel Support",
    ),
    (
        {"CARD_PROBLEMS"},
        "Your card has been unblocked",
        "Hi {first},\n\nThanks for confirming those details. We've removed the temporary block "
        "on your card and it's ready to use again.\n\nKind regards,\n{agent}\nKestrel Security",
    ),
    (
        {"VIRTUAL"},
        "Re: Virtual cards",
        "Hi {first},\n\nYou can create a virtual card at any time in the app by going to Cards "
        "and tapping the + button. It's ready to use instantly.\n\nBest,\n{agent}\nKestrel",
    ),
    (
        set(),
        "Your statement request",
        "Hi {first},\n\nPlease find attached the account statement you asked for, covering "
        "January to March. You can also download statements yourself under Account > Documents."
        "\n\nKind regards,\n{agent}\nKestrel Support",
    ),
    (
        set(),
        "Your complaint {ref}",
        "Dear {first},\n\nThank you for raising your concerns about the wait time on our phone "
        "line. I'm sorry for the frustration this caused. As a gesture of goodwill we've credited "
        "£10 to your account.\n\nYours sincerely,\n{agent}\nKestrel Complaints Team",
    ),
]

NEWSLETTERS = [
    (
        "Your Kestrel update: new ways to save",
        "Meet Pots - set money aside for the things that matter, from holidays to a rainy day "
        "fund. Round up your spending automatically and watch your savings grow.\n\nOpen the app "
        "to get started >",
    ),
    (
        "Refer a friend and you both get £20",
        "Know someone who'd love Kestrel? Share your referral link and when they sign up you'll "
        "both get £20. Terms apply.\n\nShare your link >",
    ),
    (
        "Say hello to the new Kestrel app",
        "We've given the app a fresh new look, with dark mode, faster loading and a simpler home "
        "screen. Update now from your app store.\n\nSee what's new >",
    ),
    (
        "Your year in spending",
        "Curious where your money went this year? Your personalised spending summary is ready - "
        "see your top categories, your busiest month and more.\n\nView my summary >",
    ),
    (
        "We've updated our Terms and Conditions",
        "We're writing to let you know we're making some changes to our Terms and Conditions, "
        "which will take effect from 1 May. You don't need to do anything.\n\nRead the new terms >",
    ),
    (
        "Budgeting made easy",
        "Set monthly budgets for groceries, eating out and more, and we'll let you know when "
        "you're getting close. It's all in the Insights tab.\n\nTry budgets >",
    ),
]

# --------------------------------------------------------------------------
# Neutral customer-side filler
# --------------------------------------------------------------------------
OPENERS = [
    "I hope you're well.",
    "Hope you're having a good week.",
    "Hope all is well.",
    "I'm writing on my lunch break so I'll keep this short.",
    "I've had a look through the help pages but couldn't find an answer.",
    "A friend suggested I get in touch with you directly.",
    "I've been a customer for a few years now and you've always been helpful.",
    "Apologies if this has already been answered somewhere.",
    "I tried the phone line earlier but the wait was too long.",
    "It's been a busy week so I'm only getting round to this now.",
    "I'm not very good with technology so please bear with me.",
    "Sorry to bother you with this.",
    "I hope this is the right address to write to.",
    "We've got builders in at the moment so it's chaos here, apologies for the quick email.",
    "Just got back from the school run and finally have five minutes.",
    "I've just finished a long shift so sorry if this is a bit rambling.",
    "My son set this account up for me, so forgive me if I'm asking something obvious.",
    "The weather here has been awful all week so I'm catching up on admin.",
    "I'd be grateful for your help with something.",
    "I couldn't see an option for this in the chat, so I'm emailing instead.",
]
CLOSERS = [
    "Thanks in advance.",
    "Any help would be much appreciated.",
    "Please let me know if you need any further details from me.",
    "I'm around all afternoon if a call is easier.",
    "Looking forward to hearing from you.",
    "Thanks for your help.",
    "Many thanks for your time.",
    "Hope to hear back soon.",
    "I'd appreciate a quick reply if possible.",
    "Cheers for your help.",
    "Thanks very much.",
    "Speak soon.",
]
Q_PREFIXES = [
    "Quick question - ",
    "Quick question: ",
    "Just wondering, ",
    "Can you help? ",
    "Question: ",
    "So, ",
    "One question: ",
    "My question is: ",
]
SIGNOFFS = [
    "Kind regards,",
    "Best,",
    "Thanks,",
    "Many thanks,",
    "Cheers,",
    "Regards,",
    "Best wishes,",
    "Thank you,",
    "Warm regards,",
    "All the best,",
    "Thanks again,",
    "Best regards,",
    "Kind Regards",
    "Thx",
]
GREETINGS = [
    "Hi,",
    "Hello,",
    "Hi there,",
    "Dear Sir/Madam,",
    "Hi team,",
    "Hello Kestrel,",
    "Good morning,",
    "Good afternoon,",
    "Dear Kestrel team,",
    "Hey,",
    "To whom it may concern,",
    "Hi Kestrel Support,",
    "Hiya,",
]
GENERIC_SUBJECTS = [
    "Question",
    "Quick question",
    "Help please",
    "Query",
    "Account query",
    "Enquiry",
    "Help needed",
    "(no subject)",
    "Question about my account",
    "Hi",
    "Urgent",
    "Support request",
    "Customer query",
    "Kestrel",
    "Please help",
    "Following up",
    "Re:",
    "Help",
]
MOBILE_FOOTERS = [
    "Sent from my iPhone",
    "Sent from my iPad",
    "Sent from my Galaxy",
    "Sent from Yahoo Mail on Android",
    "Get Outlook for iOS<https://aka.ms/o0ukef>",
    "Get Outlook for Android",
    "Sent from Mail for Windows",
    "Sent from my Samsung Galaxy smartphone.",
    "Sent from Proton Mail mobile",
    "Sent from my iPhone\n\nPlease excuse typos",
]
DISCLAIMERS = [
    "CONFIDENTIALITY NOTICE: This email and any attachments are confidential and intended "
    "solely for the use of the individual or entity to whom they are addressed. If you have "
    "received this email in error please notify the sender immediately and delete it from "
    "your system. Any unauthorised use, disclosure or copying is strictly prohibited.",
    "This message contains information which may be confidential and privileged. Unless you "
    "are the addressee (or authorised to receive for the addressee), you may not use, copy or "
    "disclose to anyone the message or any information contained in the message.",
    "{company} is a company registered in England and Wales under number 08412297. Registered "
    "office: {address}. Views expressed in this email are those of the sender and not "
    "necessarily those of the company.",
    "DISCLAIMER: The information contained in this communication is intended only for the "
    "recipient. E-mail transmission cannot be guaranteed to be secure or error-free. The "
    "sender does not accept liability for any errors or omissions.",
    "Please consider the environment before printing this email.",
    "This email has been scanned for viruses and malware by Mimecast Ltd.",
    "Our office hours are Monday to Friday, 9am - 5pm. I may send emails outside these hours "
    "but don't expect a reply outside of yours.",
    "IMPORTANT: We will never change our bank details by email. Always call us to confirm "
    "before making a payment to us.",
]
TAGLINES = [
    "Proud winner of the 2024 Regional Business Awards",
    "We're hiring! See our latest vacancies at www.{domain}/careers",
    "Follow us on LinkedIn | Instagram | X",
    "Book a meeting with me<https://calendly.com/{user}/30min>",
    "Rated Excellent on Trustpilot ★★★★★",
    "Celebrating 25 years of service",
    "My working days are Monday to Thursday.",
    "Pronouns: she/her",
    "Pronouns: he/him",
]
EXTERNAL_BANNERS = [
    "[External email]",
    "CAUTION: This email originated from outside of the organization. Do not click links or "
    "open attachments unless you recognize the sender and know the content is safe.",
    "[EXTERNAL] This message came from an external sender. Be cautious of links and attachments.",
    "You don't often get email from {email}. Learn why this is important<https://aka.ms/"
    "LearnAboutSenderIdentification>",
    "*** EXTERNAL EMAIL *** Think before you click.",
]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DAYS_LONG = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS_LONG = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class Ctx:
    """Per-row random persona + helpers."""

    def __init__(self, rng):
        self.r = rng
        self.first = rng.choice(FIRST)
        self.last = rng.choice(LAST)
        self.name = f"{self.first} {self.last}"
        user = re.sub(r"[^a-z.]", "", f"{self.first}.{self.last}".lower())
        user = rng.choice(
            [
                user,
                user.replace(".", ""),
                user + str(rng.randint(1, 99)),
                self.first.lower()[0] + re.sub(r"[^a-z]", "", self.last.lower()),
                re.sub(r"[^a-z]", "", self.first.lower()) + str(rng.randint(70, 99)),
            ]
        )
        self.user = user
        self.email = f"{user}@{rng.choice(MAIL_DOMAINS)}"
        self.company, self.domain = rng.choice(COMPANIES)
        work_first = re.sub(r"[^a-z]", "", self.first.lower())
        work_last = re.sub(r"[^a-z]", "", self.last.lower())
        self.work_email = f"{work_first}.{work_last}@{self.domain}"
        self.title = rng.choice(TITLES)
        self.address = rng.choice(STREETS)
        self.agent = rng.choice(AGENTS)
        self.support = rng.choice(SUPPORT_SENDERS)
        # dates
        self.year = rng.choice([2025, 2026, 2026])
        self.month = rng.randint(0, 11)
        self.day = rng.randint(1, 28)
        self.dow = datetime.date(self.year, self.month + 1, self.day).weekday()
        self.hour = rng.randint(7, 21)
        self.minute = rng.randint(0, 59)

    def phone_uk_mobile(self):
        return f"+44 7{self.r.randint(100, 999)} {self.r.randint(100000, 999999)}"

    def phone_any(self):
        r = self.r
        return r.choice(
            [
                f"+44 7{r.randint(100, 999)} {r.randint(100000, 999999)}",
                f"07{r.randint(100, 999)} {r.randint(100, 999)} {r.randint(100, 999)}",
                f"+44 (0)20 {r.randint(7000, 8999)} {r.randint(1000, 9999)}",
                f"0161 {r.randint(200, 999)} {r.randint(1000, 9999)}",
                f"+353 8{r.randint(3, 9)} {r.randint(100, 999)} {r.randint(1000, 9999)}",
                f"+1 (212) {r.randint(200, 999)}-{r.randint(1000, 9999)}",
                f"+49 30 {r.randint(1000000, 9999999)}",
            ]
        )

    def ref(self):
        return self.r.choice(
            [
                f"KST-{self.r.randint(100000, 999999)}",
                f"{self.r.randint(10000000, 99999999)}",
                f"#{self.r.randint(100000, 999999)}",
            ]
        )

    def amount(self):
        return (
            self.r.choice(["£", "£", "€", "$"])
            + f"{self.r.randint(5, 900)}.{self.r.choice(['00', '00', '50', '99', '20'])}"
        )

    def date_short(self):  # 2 Mar 2026
        return f"{self.day} {MONTHS[self.month]} {self.year}"

    def time24(self):
        return f"{self.hour:02d}:{self.minute:02d}"

    def time12(self):
        h = self.hour % 12 or 12
        return f"{h}:{self.minute:02d} {'AM' if self.hour < 12 else 'PM'}"

    def earlier(self):
        """shift date back a few days for quoted messages"""
        c = Ctx.__new__(Ctx)
        c.__dict__.update(self.__dict__)
        back = self.r.randint(1, 20)
        d = self.day - back
        m = self.month
        y = self.year
        if d < 1:
            d += 28
            m -= 1
            if m < 0:
                m = 11
                y -= 1
        c.day, c.month, c.year = d, m, y
        c.dow = datetime.date(y, m + 1, d).weekday()
        c.hour = self.r.randint(8, 18)
        c.minute = self.r.randint(0, 59)
        return c


def fill(tmpl, c, extra=None):
    d = dict(
        first=c.first,
        agent=c.agent,
        date=f"{c.day} {MONTHS_LONG[c.month]}",
        ref=c.ref(),
        amount=c.amount(),
        company=c.company,
        address=c.address,
        email=c.email,
        domain=c.domain,
        user=c.user,
    )
    if extra:
        d.update(extra)
    return tmpl.format(**d)


# --------------------------------------------------------------------------
# light perturbation of the customer's question
# --------------------------------------------------------------------------
CONTRACTIONS = [
    ("can't", "cant"),
    ("don't", "dont"),
    ("I'm", "Im"),
    ("didn't", "didnt"),
    ("won't", "wont"),
    ("isn't", "isnt"),
    ("doesn't", "doesnt"),
    ("I've", "Ive"),
    ("it's", "its"),
    ("haven't", "havent"),
    ("wasn't", "wasnt"),
    ("What's", "Whats"),
]


def typo(s, r):
    words = list(re.finditer(r"[A-Za-z]{5,}", s))
    if not words:
        return s
    m = r.choice(words)
    w = m.group(0)
    i = r.randint(1, len(w) - 2)
    op = r.random()
    if op < 0.4:
        w2 = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    elif op < 0.75:
        w2 = w[:i] + w[i + 1 :]
    else:
        w2 = w[:i] + w[i] + w[i:]
    return s[: m.start()] + w2 + s[m.end() :]


def perturb(q, r, lower=0.15, nopunct=0.2, p_typo=0.12, p_contr=0.15):
    s = q.strip()
    if r.random() < p_contr:
        for a, b in CONTRACTIONS:
            s = s.replace(a, b).replace(a.replace("'", "’"), b)
    if r.random() < p_typo:
        s = typo(s, r)
    if r.random() < lower:
        s = s.lower()
    if r.random() < nopunct:
        s = s.rstrip(".?!")
    return s


def lc_first(s):
    if (
        len(s) > 1
        and s[0].isupper()
        and not (s[1].isupper() or s.startswith("I ") or s.startswith("I'"))
    ):
        return s[0].lower() + s[1:]
    return s


GREET_RE = re.compile(
    r"(?i)\s*(hi|hello|hey|hiya|good (morning|afternoon|evening)|dear|greetings)\b"
)


def starts_with_greeting(q):
    return bool(GREET_RE.match(q))


def G(c, s):
    """Drop an added greeting when the customer's own text already opens with one."""
    return "" if c.greeted else s


def maybe(r, p, x, default=""):
    return x if r.random() < p else default


def subject_from_question(q, r):
    words = q.rstrip(".?! ").split()
    if len(words) <= 8:
        s = " ".join(words)
    else:
        s = " ".join(words[: r.randint(4, 7)]) + r.choice(["...", "", " ..."])
    return r.choice([s, s, s + "?", s.upper() if r.random() < 0.2 else s])


def pick_subject(q, c, p_from_q=0.35):
    r = c.r
    if r.random() < p_from_q:
        return subject_from_question(q, r)
    return r.choice(GENERIC_SUBJECTS)


def body_paragraph(q, c, p_open=0.6, p_close=0.6, p_prefix=0.12):
    r = c.r
    parts = []
    if r.random() < p_open:
        opener = r.choice(OPENERS)
        if r.random() < 0.25:
            opener += " " + r.choice([o for o in OPENERS if o != opener])
        parts.append(opener)
    qq = q
    if r.random() < p_prefix and not c.greeted:
        qq = r.choice(Q_PREFIXES) + lc_first(q)
    parts.append(qq)
    close = ""
    if r.random() < p_close:
        close = r.choice(CLOSERS)
    # layout: either one paragraph or separate lines
    txt = "\n\n".join(parts) if r.random() < 0.5 else " ".join(parts)
    if close:
        txt += r.choice(["\n\n", " ", "\n"]) + close
    return txt


def signature(c, level):
    """level 0: name only, 1: name + phone, 2: full corporate"""
    r = c.r
    if level == 0:
        return r.choice([c.first, c.name, c.first[0], f"{c.first} {c.last[0]}.", c.name])
    if level == 1:
        lines = [r.choice([c.first, c.name])]
        if r.random() < 0.7:
            lines.append(r.choice(["Mob: ", "M: ", "Tel: ", "", "Phone: "]) + c.phone_any())
        if r.random() < 0.3:
            lines.append(r.choice(CITIES))
        return "\n".join(lines)
    lines = [c.name]
    if r.random() < 0.3:
        lines[0] += r.choice([" | ", " - ", "\n"]) + r.choice(
            ["BSc (Hons)", "ACA", "MBA", "MCIPS", "CIPD"]
        )
    lines.append(c.title + r.choice(["\n", " | ", ", "]) + c.company)
    if r.random() < 0.2:
        lines.append(
            f"[cid:image00{r.randint(1, 4)}.png@01DA"
            f"{r.randint(0x1000, 0xFFFF):X}.{r.randint(0x1000, 0xFFFF):X}]"
        )
    lines.append(r.choice(["T: ", "Tel: ", "Direct: ", "Phone: ", "P "]) + c.phone_any())
    if r.random() < 0.6:
        lines.append(r.choice(["M: ", "Mobile: ", "Mob: "]) + c.phone_uk_mobile())
    if r.random() < 0.6:
        lines.append(r.choice(["E: ", "Email: ", ""]) + c.work_email)
    if r.random() < 0.6:
        lines.append(r.choice(["W: ", "", "Web: "]) + "www." + c.domain)
    if r.random() < 0.7:
        lines.append(c.address)
    if r.random() < 0.35:
        lines.append("")
        lines.append(fill(r.choice(TAGLINES), c))
    return "\n".join(lines)


def disclaimer(c, n=1):
    r = c.r
    picks = r.sample(DISCLAIMERS, n)
    return "\n\n".join(fill(p, c) for p in picks)


def quote_lines(text, r, prefix="> ", width=None):
    width = width or r.choice([70, 72, 76, 78])
    out = []
    for para in text.split("\n"):
        if not para.strip():
            out.append(prefix.rstrip())
            continue
        for ln in textwrap.wrap(para, width - len(prefix)) or [""]:
            out.append(prefix + ln)
    return "\n".join(out)


def wrap_header(line, r):
    """Mail clients wrap long attribution lines."""
    if len(line) > 60 and r.random() < 0.45:
        w = r.choice([60, 66, 70, 72])
        return "\n".join(textwrap.wrap(line, w, break_long_words=False, break_on_hyphens=False))
    return line


def pick_support_msg(c, fams):
    r = c.r
    ok = [m for m in SUPPORT_MSGS if not (m[0] & fams)]
    if "UNKNOWN" in fams:
        ok = [m for m in SUPPORT_MSGS if not m[0]]
    _fam, subj, body = r.choice(ok)
    ref = c.ref()
    d = c.earlier()  # events mentioned in the support message happened before it was sent
    when = f"{d.day} {MONTHS_LONG[d.month]}"
    subj = fill(subj, c, {"ref": ref, "date": when})
    body = fill(body, c, {"ref": ref, "date": when})
    if r.random() < 0.3:
        body = "##- Please type your reply above this line -##\n\n" + body
    if r.random() < 0.35:
        body += "\n\n" + r.choice(
            [
                "Kestrel Financial Ltd is authorised by the Financial Conduct Authority under the "
                "Electronic Money Regulations 2011 (FRN 900123).",
                "Please don't share your passcode or card PIN with anyone, including us.",
                "Need help faster? Chat to us in the app, 24/7.",
                f"[ref:_00D{r.randint(1000, 9999)}x._500{r.randint(100000, 999999)}:ref]",
            ]
        )
    return subj, body


def html_noise(text, r, p=0.5):
    """Inject plain-text remnants of HTML mail."""
    if r.random() > p:
        return text
    lines = text.split("\n")
    out = []
    for ln in lines:
        if not ln.strip() and r.random() < 0.25:
            out.append(r.choice(["&nbsp;", " ", "&nbsp;&nbsp;"]))
            continue
        if r.random() < 0.08:
            ln = ln.replace("&", "&amp;")
        out.append(ln)
    return "\n".join(out)


def case_header(c, channel="Email"):
    r = c.r
    n = r.randint(100, 9999999)
    return r.choice(
        [
            f"Case #{n:08d} created via Email-to-Case",
            f"Case #{n:08d} created via {channel}-to-Case\nOrigin: {channel} | Priority: "
            f"{r.choice(['Medium', 'Low', 'High', 'Normal'])} | Status: New",
            f"Ticket #{n} | Channel: {channel} | Status: Open | Assigned to: Unassigned",
            f"[Freshdesk] New ticket #{n} from {c.name}",
            f"New case {n} - {channel} - Queue: General Support\nContact: {c.name} <{c.email}>",
        ]
    )


def email_headers(c, subject, sender_email=None, to=None):
    r = c.r
    sender_email = sender_email or c.email
    to = to or r.choice(
        ["help@kestrelbank.com", "support@kestrel.co.uk", "Kestrel Support <help@kestrelbank.com>"]
    )
    fmt = r.random()
    if fmt < 0.55:
        return f"Subject: {subject}"
    if fmt < 0.8:
        return f"From: {c.name} <{sender_email}>\nTo: {to}\nSubject: {subject}"
    return (
        f"From: {c.name} <{sender_email}>\nDate: {DAYS[c.dow]}, {c.day} {MONTHS[c.month]} "
        f"{c.year} {c.time24()}:{r.randint(10, 59)} +0000\nTo: {to}\nSubject: {subject}"
    )


# --------------------------------------------------------------------------
# styles
# --------------------------------------------------------------------------
def st_email_formal(q, c, fams):
    r = c.r
    q = perturb(q, r, lower=0.05, nopunct=0.1, p_typo=0.08)
    parts = [email_headers(c, pick_subject(q, c)), ""]
    parts.append(G(c, r.choice(GREETINGS)))
    parts.append("")
    parts.append(body_paragraph(q, c, p_open=0.75, p_close=0.75))
    parts.append("")
    parts.append(r.choice(SIGNOFFS))
    parts.append(signature(c, r.choice([1, 2, 2, 2])))
    if r.random() < 0.7:
        parts.append("")
        parts.append(
            r.choice(["", "--\n", "________________________________\n"])
            + disclaimer(c, r.choice([1, 1, 2]))
        )
    txt = "\n".join(parts)
    if r.random() < 0.3:
        txt = case_header(c) + "\n\n" + txt
    return html_noise(txt, r, 0.25)


def st_email_short(q, c, fams):
    r = c.r
    q = perturb(q, r, lower=0.25, nopunct=0.3, p_typo=0.18, p_contr=0.25)
    subj = pick_subject(q, c, 0.45)
    parts = []
    if r.random() < 0.7:
        parts += [f"Subject: {subj}", ""]
    g = G(c, r.choice(["Hi", "Hello", "Hi there", "Hey", "Hiya", "Hi,", "Hello,", ""]))
    if g:
        if r.random() < 0.5:
            parts.append(
                g.rstrip(",") + ", " + lc_first(q) + maybe(r, 0.4, " " + r.choice(CLOSERS))
            )
        else:
            parts += [g, "", q + maybe(r, 0.4, "\n" + r.choice(CLOSERS))]
    else:
        parts.append(q + maybe(r, 0.4, " " + r.choice(CLOSERS)))
    parts.append("")
    parts.append(maybe(r, 0.6, r.choice(SIGNOFFS) + "\n") + signature(c, 0))
    txt = "\n".join(parts)
    if r.random() < 0.25:
        txt = case_header(c) + "\n\n" + txt
    return txt


def st_email_mobile(q, c, fams):
    r = c.r
    q = perturb(q, r, lower=0.35, nopunct=0.4, p_typo=0.3, p_contr=0.3)
    parts = []
    if r.random() < 0.6:
        parts += [f"Subject: {pick_subject(q, c, 0.5)}", ""]
    if r.random() < 0.5 and not c.greeted:
        g = r.choice(["Hi", "Hello", "Hey"])
        parts.append(r.choice([g + ",\n", g + "\n", g + " ", g + ", "]) + q)
    else:
        parts.append(q)
    if r.random() < 0.35:
        parts.append(r.choice(["Thanks", "Thx", "Ta", "thanks", "Cheers", "Thank you"]))
    if r.random() < 0.5:
        parts.append(r.choice([c.first, c.first, c.first[0], c.name]))
    parts.append("")
    parts.append(r.choice(MOBILE_FOOTERS))
    txt = "\n".join(parts)
    if r.random() < 0.25:
        txt = case_header(c) + "\n\n" + txt
    return txt


def attribution_gmail(c, who):
    r = c.r
    e = c
    name, addr = who
    v = r.random()
    if v < 0.35:
        line = (
            f"On {DAYS[e.dow]}, {e.day} {MONTHS[e.month]} {e.year} at {e.time24()}, "
            f"{name} <{addr}> wrote:"
        )
    elif v < 0.6:
        line = (
            f"On {DAYS[e.dow]}, {MONTHS[e.month]} {e.day}, {e.year} at {e.time12()} "
            f"{name} <{addr}> wrote:"
        )
    elif v < 0.8:
        line = f"On {e.day} {MONTHS[e.month]} {e.year}, at {e.time24()}, {name} <{addr}> wrote:"
    else:
        line = f"On {e.day:02d}/{e.month + 1:02d}/{e.year} {e.time24()}, {name} wrote:"
    return wrap_header(line, r)


def st_reply_gmail(q, c, fams):
    r = c.r
    q = perturb(q, r, lower=0.15, nopunct=0.2, p_typo=0.12)
    e = c.earlier()
    subj, body = pick_support_msg(e, fams)
    parts = []
    subj_line = "Re: " + (
        subj
        if r.random() < 0.5
        else r.choice(["Your Kestrel enquiry", f"Your case {c.ref()}", "Kestrel Support"])
    )
    parts += [f"Subject: {subj_line}", ""]
    if r.random() < 0.6 and not c.greeted:
        parts += [
            r.choice(
                [
                    "Hi,",
                    f"Hi {c.agent},",
                    "Hello,",
                    f"Thanks {c.agent},",
                    "Hi again,",
                    f"Hello {c.agent}",
                ]
            ),
            "",
        ]
    if r.random() < 0.5:
        parts += [
            r.choice(
                [
                    "Thanks for getting back to me.",
                    "Thanks for your reply.",
                    "Thanks for the email below.",
                    "Sorry, one more thing.",
                    "Thanks for sorting that out last time.",
                    "Replying here as it was the easiest way to reach you.",
                    "Separate question, but replying to this email as I couldn't find another "
                    "address.",
                ]
            ),
            "",
        ]
    parts.append(q + maybe(r, 0.4, "\n\n" + r.choice(CLOSERS)))
    parts += ["", maybe(r, 0.6, r.choice(SIGNOFFS) + "\n") + signature(c, r.choice([0, 0, 1]))]
    if r.random() < 0.3:
        parts += ["", r.choice(MOBILE_FOOTERS)]
    parts += ["", attribution_gmail(e, c.support)]
    parts.append("")
    qb = quote_lines(body, r)
    if r.random() < 0.2:
        # nested older auto-acknowledgement
        qb += (
            "\n>\n"
            + quote_lines(attribution_gmail(e.earlier(), c.support), r)
            + "\n"
            + quote_lines(fill(SUPPORT_MSGS[0][2], c, {"ref": c.ref()}), r, "> > ")
        )
    parts.append(qb)
    txt = "\n".join(parts)
    if r.random() < 0.3:
        txt = case_header(c) + "\n\n" + txt
    return txt


def st_reply_outlook(q, c, fams):
    r = c.r
    q = perturb(q, r, lower=0.05, nopunct=0.1, p_typo=0.1)
    e = c.earlier()
    subj, body = pick_support_msg(e, fams)
    sender_email = c.work_email if r.random() < 0.6 else c.email
    parts = [f"Subject: RE: {subj}", ""]
    parts.append(
        G(
            c,
            r.choice(
                [
                    "Hi,",
                    f"Hi {c.agent},",
                    "Hello,",
                    "Good morning,",
                    f"Dear {c.agent},",
                    "Hi there,",
                ]
            ),
        )
    )
    parts.append("")
    parts.append(body_paragraph(q, c, p_open=0.4, p_close=0.6))
    parts += ["", r.choice(SIGNOFFS)]
    sig_level = 2 if sender_email == c.work_email else r.choice([0, 1])
    parts.append(signature(c, sig_level))
    if sig_level == 2 and r.random() < 0.5:
        parts += ["", disclaimer(c)]
    parts.append("")
    sep = r.choice(
        [
            "________________________________",
            "-----Original Message-----",
            "",
            "________________________________\n",
        ]
    )
    sent = (
        f"{DAYS_LONG[e.dow]}, {MONTHS_LONG[e.month]} {e.day}, {e.year} {e.time12()}"
        if r.random() < 0.5
        else f"{DAYS_LONG[e.dow]}, {e.day} {MONTHS_LONG[e.month]} {e.year} {e.time24()}"
    )
    hdr = []
    if sep:
        hdr.append(sep)
    hdr.append(f"From: {c.support[0]} <{c.support[1]}>")
    hdr.append(f"Sent: {sent}")
    hdr.append(f"To: {c.name} <{sender_email}>" if r.random() < 0.7 else f"To: {sender_email}")
    if r.random() < 0.2:
        hdr.append(f"Cc: {r.choice(['cases@kestrelbank.com', 'complaints@kestrel.co.uk'])}")
    hdr.append(f"Subject: {r.choice(['RE: ', '', 'Re: '])}{subj}")
    if r.random() < 0.4:
        hdr = (
            [("*" + h.replace(": ", ":* ", 1)) if ": " in h else h for h in hdr]
            if r.random() < 0.5
            else hdr
        )
    parts.append("\n".join(hdr))
    parts.append("")
    parts.append(body)
    txt = "\n".join(parts)
    if r.random() < 0.3:
        txt = case_header(c) + "\n\n" + txt
    return html_noise(txt, r, 0.3)


def st_forward(q, c, fams):
    r = c.r
    q = perturb(q, r, lower=0.1, nopunct=0.15, p_typo=0.12)
    e = c.earlier()
    subj, body = pick_support_msg(e, fams)
    parts = [f"Subject: {r.choice(['Fwd: ', 'Fw: ', 'FW: '])}{subj}", ""]
    intro = r.choice(
        [
            "Forwarding the email below as I wasn't sure where else to send this.",
            "See below - I got this from you a while ago but have a different question now.",
            "Forwarding this so you have my reference.",
            "Sending this on to the main support address as the email below came from a no-reply "
            "address.",
            "FYI below.",
            "",
        ]
    )
    parts.append(G(c, r.choice(["Hi,", "Hello,", "Hi team,", ""])))
    if intro:
        parts.append(intro)
    parts.append("")
    parts.append(q + maybe(r, 0.5, " " + r.choice(CLOSERS)))
    parts += ["", maybe(r, 0.5, r.choice(SIGNOFFS) + "\n") + signature(c, r.choice([0, 1, 1]))]
    if r.random() < 0.3:
        parts += ["", r.choice(MOBILE_FOOTERS)]
    parts.append("")
    if r.random() < 0.65:
        parts.append("---------- Forwarded message ---------")
        parts.append(f"From: {c.support[0]} <{c.support[1]}>")
        parts.append(f"Date: {DAYS[e.dow]}, {e.day} {MONTHS[e.month]} {e.year} at {e.time24()}")
        parts.append(f"Subject: {subj}")
        parts.append(f"To: <{c.email}>")
    else:
        parts.append("Begin forwarded message:")
        parts.append("")
        parts.append(f"From: {c.support[0]} <{c.support[1]}>")
        parts.append(f"Subject: {subj}")
        parts.append(
            f"Date: {e.day} {MONTHS_LONG[e.month]} {e.year} at {e.time24()}:{r.randint(10, 59)} GMT"
        )
        parts.append(f"To: {c.name} <{c.email}>")
    parts.append("")
    parts.append(body)
    txt = "\n".join(parts)
    if r.random() < 0.3:
        txt = case_header(c) + "\n\n" + txt
    return html_noise(txt, r, 0.3)


def st_corporate_external(q, c, fams):
    r = c.r
    q = perturb(q, r, lower=0.03, nopunct=0.1, p_typo=0.08)
    subj = pick_subject(q, c, 0.3)
    parts = []
    if r.random() < 0.5:
        parts.append(case_header(c))
        parts.append("")
    parts.append(f"Subject: {r.choice(['[EXTERNAL] ', '[External] ', 'EXT: ', ''])}{subj}")
    parts.append("")
    for b in r.sample(EXTERNAL_BANNERS, 2 if r.random() < 0.4 else 1):
        parts.append(fill(b, c, {"email": c.work_email}))
    parts.append("")
    parts.append(G(c, r.choice(["Hi,", "Hello,", "Good morning,", "Dear Sir/Madam,", "Hi team,"])))
    parts.append("&nbsp;" if r.random() < 0.5 else "")
    parts.append(body_paragraph(q, c, p_open=0.5, p_close=0.7))
    parts.append("&nbsp;" if r.random() < 0.5 else "")
    parts.append(r.choice(SIGNOFFS))
    parts.append(signature(c, 2))
    if r.random() < 0.6:
        parts.append(
            f"[cid:image00{r.randint(1, 6)}.png@01DA"
            f"{r.randint(0x1000, 0xFFFF):X}.{r.randint(0x1000, 0xFFFF):X}]"
        )
    if r.random() < 0.4:
        parts.append("[cid:linkedin_icon.png] [cid:x_icon.png] [cid:instagram_icon.png]")
    parts.append("")
    parts.append(disclaimer(c, r.choice([1, 2, 2])))
    if r.random() < 0.3:
        parts.append("")
        parts.append(
            f"To unsubscribe from {c.company} marketing emails, click "
            f"here<https://{c.domain}/unsubscribe?u={r.randint(10**7, 10**8)}>"
        )
    txt = "\n".join(parts)
    return html_noise(txt, r, 0.7)


def st_newsletter_reply(q, c, fams):
    r = c.r
    q = perturb(q, r, lower=0.2, nopunct=0.25, p_typo=0.15)
    nsubj, nbody = r.choice(NEWSLETTERS)
    e = c.earlier()
    parts = [f"Subject: Re: {nsubj}", ""]
    pre = (
        ""
        if c.greeted
        else r.choice(
            [
                "",
                "Not about this email but ",
                "Sorry, replying to this as it's the only email I have from you. ",
                "Hi, I know this is a newsletter but ",
                "Hello, hopefully someone reads these. ",
            ]
        )
    )
    parts.append(pre + (lc_first(q) if pre.endswith("but ") else q))
    if r.random() < 0.5:
        parts.append("")
        parts.append(r.choice(CLOSERS))
    parts.append("")
    parts.append(signature(c, r.choice([0, 0, 1])))
    if r.random() < 0.3:
        parts += ["", r.choice(MOBILE_FOOTERS)]
    parts.append("")
    sender = ("Kestrel", f"news@{r.choice(BANK_DOMAINS)}")
    news = [
        r.choice(
            [
                "View this email in your "
                f"browser<https://kestrelbank.com/e/{r.randint(10**5, 10**6)}>",
                "Having trouble viewing this email? View it online.",
                "[Kestrel logo]",
            ]
        ),
        "",
        f"Hi {c.first},",
        "",
        nbody,
        "",
        r.choice(["Thanks for being part of Kestrel.", "Happy banking,", "The Kestrel Team"]),
        "",
        f"Unsubscribe<https://kestrelbank.com/unsub?id={r.randint(10**6, 10**7)}> | "
        "Manage preferences | Privacy policy",
        "You're receiving this email because you opted in to product updates from Kestrel.",
        "Kestrel Financial Ltd, 1 Finsbury Avenue, London EC2M 2PF. Registered in England and "
        "Wales No. 09876543. Authorised by the Financial Conduct Authority.",
    ]
    if r.random() < 0.6:
        parts.append(attribution_gmail(e, sender))
        parts.append("")
        parts.append(quote_lines("\n".join(news), r))
    else:
        parts.append("________________________________")
        parts.append(f"From: Kestrel <{sender[1]}>")
        parts.append(
            f"Sent: {DAYS_LONG[e.dow]}, {e.day} {MONTHS_LONG[e.month]} {e.year} {e.time24()}"
        )
        parts.append(f"To: {c.email}")
        parts.append(f"Subject: {nsubj}")
        parts.append("")
        parts.append("\n".join(news))
    txt = "\n".join(parts)
    if r.random() < 0.3:
        txt = case_header(c) + "\n\n" + txt
    return html_noise(txt, r, 0.3)


def st_web_form(q, c, fams):
    r = c.r
    q = perturb(q, r, lower=0.15, nopunct=0.2, p_typo=0.12)
    fam = sorted(fams)[0] if fams else "UNKNOWN"
    if fam in FORM_TOPIC_BY_FAMILY and r.random() < 0.3:
        topic = r.choice(FORM_TOPIC_BY_FAMILY[fam])
    else:
        topic = r.choice(FORM_TOPIC_GENERIC)
    msg = q
    if r.random() < 0.35 and not c.greeted:
        msg = r.choice(["Hi, ", "Hello. ", "Hi there, ", ""]) + q
    if r.random() < 0.3:
        msg += " " + r.choice(CLOSERS)
    acct = r.choice(
        [
            f"{r.randint(10000000, 99999999)}",
            f"{r.randint(10, 99)}-{r.randint(10, 99)}-{r.randint(10, 99)} "
            f"{r.randint(10000000, 99999999)}",
            "",
            "n/a",
            f"KS{r.randint(1000000, 9999999)}",
        ]
    )
    sep = r.choice([": ", ": ", ":\t", " - "])
    fields = [("Name", c.name), ("Email", c.email)]
    if r.random() < 0.6:
        fields.append(("Phone", c.phone_any() if r.random() < 0.8 else ""))
    if r.random() < 0.7:
        fields.append(("Account number", acct))
    if r.random() < 0.3:
        fields.append(("Are you an existing customer?", r.choice(["Yes", "Yes", "No"])))
    fields.append((r.choice(["Topic", "Subject", "Enquiry type", "Category"]), topic))
    fields.append((r.choice(["Message", "Your message", "How can we help?", "Description"]), msg))
    if r.random() < 0.4:
        fields.append(("Preferred contact method", r.choice(["Email", "Phone", "Either"])))
    if r.random() < 0.4:
        fields.append(("Consent", "I agree to the privacy policy"))
    lines = []
    head = r.choice(
        [
            "New submission from Contact Us form",
            "Web form submission: Contact us",
            "You have a new message from kestrelbank.com/contact",
            "Form: Help Centre - Contact",
            "[Web] Contact form",
        ]
    )
    lines.append(head)
    lines.append(r.choice(["", "----------------------------------------", "====="]))
    for k, v in fields:
        if k.startswith("How can") or (
            k in ("Message", "Description", "Your message") and r.random() < 0.3
        ):
            lines.append(f"{k}:")
            lines.append(v)
        else:
            lines.append(f"{k}{sep}{v}")
    if r.random() < 0.6:
        lines.append("")
        lines.append(f"Submitted: {c.day:02d}/{c.month + 1:02d}/{c.year} {c.time24()}")
        if r.random() < 0.5:
            lines.append(
                "IP: "
                f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
            )
        if r.random() < 0.5:
            lines.append(
                r.choice(
                    [
                        "Page: https://kestrelbank.com/contact",
                        "Page: https://kestrelbank.com/help",
                        "Referrer: https://www.google.com/",
                        "User agent: Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)",
                    ]
                )
            )
    txt = "\n".join(lines)
    if r.random() < 0.35:
        txt = case_header(c, "Web") + "\n\n" + txt
    return txt


def st_app_chat(q, c, fams):
    r = c.r
    q = perturb(q, r, lower=0.3, nopunct=0.4, p_typo=0.2, p_contr=0.25)
    v = r.random()
    t = c.hour * 60 + c.minute

    def ts(dt=0):
        m = t + dt
        return f"{(m // 60) % 24:02d}:{m % 60:02d}"

    os_, device = r.choice(
        [
            ("iOS 17.4", "iPhone 13"),
            ("iOS 18.1", "iPhone 15 Pro"),
            ("iOS 17.2", "iPhone SE"),
            ("Android 14", "Pixel 7"),
            ("Android 13", "Galaxy S23"),
            ("Android 14", "OnePlus 11"),
            ("iPadOS 17.3", "iPad Air"),
        ]
    )
    secs = [r.randint(0, 20)]

    def tss(dt=0):
        secs[0] += r.randint(5, 50)
        m = t + dt + secs[0] // 60
        return f"{(m // 60) % 24:02d}:{m % 60:02d}:{secs[0] % 60:02d}"

    ver = f"{r.randint(4, 6)}.{r.randint(0, 30)}.{r.randint(0, 9)}"
    if v < 0.4:
        lines = [
            f"Chat transcript - Kestrel app {ver} ({os_})",
            f"{ts()} Kestrel Assistant: Hi {c.first}! I'm Kestrel's virtual assistant. What can I "
            "help you with today?",
        ]
        if r.random() < 0.5:
            lines.append(
                f"{ts()} {c.first}: "
                f"{r.choice(['hi', 'hello', 'Hi', 'hey', 'agent', 'talk to a person'])}"
            )
            stamp = ts(1)
            reply = r.choice(
                [
                    "Sure - could you tell me a bit more about what you need?",
                    "Please describe your question in a few words.",
                    "I can help with that. What would you like to ask?",
                ]
            )
            lines.append(f"{stamp} Kestrel Assistant: {reply}")
        if r.random() < 0.3:
            lines.append(
                f"{ts(1)} Kestrel Assistant: Choose a topic: [Cards] [Payments] [Account] "
                "[Something else]"
            )
            lines.append(f"{ts(1)} {c.first}: Something else")
        lines.append(f"{ts(2)} {c.first}: {q}")
        stamp = ts(2)
        reply = r.choice(
            [
                "Thanks! I am connecting you to one of our team. Current wait time is about "
                f"{r.randint(2, 25)} minutes.",
                "I have passed this to a specialist who will reply here shortly.",
                "Let me get someone from the team to help with that.",
            ]
        )
        lines.append(f"{stamp} Kestrel Assistant: {reply}")
        if r.random() < 0.5:
            queue = r.choice(["agent queue", "Tier 1 support", "General queue"])
            lines.append(f"-- Conversation transferred to {queue} --")
    elif v < 0.7:
        lines = [
            "In-app message",
            f"User ID: u_{r.randrange(16**10):010x}",
            f"App version: {ver} | OS: {os_} | Device: {device}",
            f"Customer: {c.name}",
            f"Language: {r.choice(['en-GB', 'en-GB', 'en-US', 'en-IE'])}",
            "",
        ]
        if r.random() < 0.4:
            lines.append(r.choice(["hello", "hi", "Hi there", "hey"]))
        lines.append(q)
        if r.random() < 0.3:
            lines.append(r.choice(["??", "thanks", "anyone there?", "thank you"]))
    else:
        lines = [
            f"Chat started {c.day:02d}/{c.month + 1:02d}/{c.year} {ts()}",
            f"[{tss()}] System: You're chatting with Kestrel. Please don't share your full card "
            "number or PIN.",
        ]
        if r.random() < 0.5:
            lines.append(f"[{tss()}] {c.first}: {r.choice(['hello', 'hi', 'Hello?', 'hi there'])}")
        lines.append(f"[{tss()}] {c.first}: {q}")
        lines.append(
            f"[{tss()}] System: All of our agents are busy right now. "
            "We'll reply here as soon as we can"
            f"{r.choice(['.', ' - you can close the app and we will notify you.'])}"
        )
        if r.random() < 0.3:
            lines.append(
                f"[{tss()}] {c.first}: {r.choice(['ok thanks', 'thanks', 'ok', 'cheers'])}"
            )
    return "\n".join(lines)


def st_social(q, c, fams):
    r = c.r
    q = perturb(q, r, lower=0.35, nopunct=0.35, p_typo=0.2, p_contr=0.3)
    handle = (
        "@"
        + re.sub(r"[^a-z0-9_]", "", (c.first + r.choice(["_", "", "."]) + c.last).lower())[:15]
        + r.choice(["", str(r.randint(1, 99))])
    )
    bank_handle = r.choice(["@KestrelBank", "@KestrelHelp", "@kestrel"])
    v = r.random()
    emoji = r.choice(["", "", " 🙏", " 🙄", " 😩", " 🤔", " thx", " pls", " 😕"])
    if v < 0.35:
        head = r.choice(
            [
                f"Direct message from {handle} ({c.name}) via X",
                f"Twitter DM - {handle}",
                f"X (Twitter) direct message | {c.name} {handle}",
            ]
        )
        msg = r.choice(
            [
                f"{bank_handle} hi {lc_first(q)}{emoji}",
                f"hi {lc_first(q)}{emoji}",
                f"{q}{emoji}",
                f"Hello {bank_handle}, {lc_first(q)}{emoji}",
            ]
        )
        if c.greeted:
            msg = r.choice([f"{bank_handle} {q}{emoji}", f"{q}{emoji}"])
        return f"{head}\n\n{msg}"
    if v < 0.6:
        head = r.choice(
            [
                f"Mention from {handle} (public post)",
                f"New mention on X from {handle}",
                f"Social: public reply by {handle}",
            ]
        )
        msg = r.choice(
            [
                f"{bank_handle} {q}{emoji}",
                f"{bank_handle} {G(c, 'hey ')}{lc_first(q) if not c.greeted else q}{emoji}",
                f"{bank_handle} {q} {r.choice(['#help', '#customerservice', '', ''])}".rstrip()
                + emoji,
            ]
        )
        tail = r.choice(
            [
                "",
                f"\n\n{r.randint(0, 40)} likes · {r.randint(0, 8)} reposts",
                "\n\nReply · Like · Share",
            ]
        )
        return f"{head}\n\n{msg}{tail}"
    if v < 0.8:
        head = r.choice(
            [
                f"Facebook Messenger - {c.name}",
                f"Message via Facebook page from {c.name}",
                f"Messenger conversation with {c.name}",
            ]
        )
        msg = (
            q
            if c.greeted
            else r.choice(["Hello", "Hi", "Good evening", "Hi there"])
            + r.choice(["\n", " ", ". "])
            + q
        )
        if r.random() < 0.4:
            msg += "\n" + r.choice(["Thank you", "thanks in advance", "Cheers", "Many thanks"])
        return f"{head}\n{c.day} {MONTHS[c.month]} at {c.time24()}\n\n{msg}"
    head = r.choice(
        [
            f"Instagram DM from {handle[1:]}",
            f"Instagram direct message | {handle}",
            f"WhatsApp Business - {c.phone_uk_mobile()} ({c.first})",
        ]
    )
    msg = r.choice([f"hi {lc_first(q)}{emoji}", f"{q}{emoji}", f"hey! {lc_first(q)}{emoji}"])
    if c.greeted:
        msg = f"{q}{emoji}"
    return f"{head}\n\n{msg}"


def st_sms(q, c, fams):
    r = c.r
    q = perturb(q, r, lower=0.6, nopunct=0.6, p_typo=0.25, p_contr=0.5)
    if r.random() < 0.3:
        q = re.sub(r"\byou\b", "u", q)
        q = re.sub(r"\bYou\b", "U", q)
    num = r.choice(
        [
            c.phone_uk_mobile(),
            f"07{r.randint(100, 999)}{r.randint(100000, 999999)}",
            f"+447{r.randint(100000000, 999999999)}",
        ]
    )
    v = r.random()
    pre = (
        ""
        if c.greeted
        else r.choice(
            ["", "", "hi ", "Hi ", f"hi its {c.first} ", f"Hi, this is {c.first}. ", "hello "]
        )
    )
    body = pre + (lc_first(q) if pre and not pre.endswith(". ") else q)
    body += r.choice(["", "", " thx", " thanks", " ta", "?", " pls reply", " x"])
    if v < 0.4:
        return f"SMS from {num}: {body}"
    if v < 0.7:
        return f"Text message received {c.time24()} from {num}\n\n{body}"
    if v < 0.85:
        return (
            f"Inbound SMS | From: {num} | To: 60{r.randint(100, 999)} | "
            f"{c.day:02d}/{c.month + 1:02d}/{c.year} {c.time24()}\n{body}"
        )
    return f"[SMS] {body}\n-- \nReply STOP to opt out of Kestrel texts"


def st_voicemail(q, c, fams):
    r = c.r
    q = perturb(q, r, lower=1.0, nopunct=1.0, p_typo=0.0, p_contr=0.4)
    q = re.sub(r"[,;:]", "", q)
    num = c.phone_any()
    dur = f"{r.randint(0, 1)}:{r.randint(10, 59):02d}"
    intro = r.choice(
        [
            f"hi this is {c.first.lower()} {c.last.lower()}",
            f"hello um my name's {c.first.lower()}",
            f"hi there it's {c.first.lower()} calling",
            "hi um",
            "hello yeah hi",
            f"hi good morning this is {c.first.lower()}",
        ]
    )
    mid = r.choice(
        ["", " um", " uh", " I'm calling because", " sorry", " I've got a question", " yeah so"]
    )
    outro = r.choice(
        [
            f" if someone could give me a call back on {num.replace('+44 ', '0')} that'd be great "
            "thanks bye",
            " um yeah if you could call me back thanks bye",
            " thanks bye",
            " I'll try calling again later thank you",
            " cheers bye",
            " [inaudible] thanks bye",
            " please call me back when you get a chance thank you",
        ]
    )
    trans = f"{intro}{mid} {q}{outro}"
    head = r.choice(
        [
            f"Voicemail from {num} ({dur})",
            f"Voicemail from {num} received {DAYS[c.dow]} {c.day} {MONTHS[c.month]} {c.year} "
            f"{c.time24()} (duration {dur})",
            f"New voicemail - Caller: {num} - Length: {dur}",
        ]
    )
    sub = r.choice(
        [
            "Transcription:",
            "Transcription (automated, may contain errors):",
            "Transcript:",
            f"Transcription confidence: {r.randint(61, 97)}%",
        ]
    )
    if r.random() < 0.5:
        return f'{head}\n{sub}\n"{trans}"'
    return f"{head}: {trans}"


STYLES = [
    ("email_formal", st_email_formal, 10),
    ("email_short", st_email_short, 8),
    ("email_mobile", st_email_mobile, 8),
    ("reply_gmail_quoted", st_reply_gmail, 10),
    ("reply_outlook", st_reply_outlook, 9),
    ("forward", st_forward, 7),
    ("corporate_external", st_corporate_external, 8),
    ("newsletter_reply", st_newsletter_reply, 6),
    ("web_form", st_web_form, 9),
    ("app_chat", st_app_chat, 8),
    ("social", st_social, 7),
    ("sms", st_sms, 5),
    ("voicemail", st_voicemail, 5),
]


def generate(text, category, rng):
    c = Ctx(rng)
    c.greeted = starts_with_greeting(text)
    fams = families_of(category)
    names = [s[0] for s in STYLES]
    weights = [s[2] for s in STYLES]
    i = rng.choices(range(len(STYLES)), weights=weights)[0]
    msg = STYLES[i][1](text, c, fams)
    msg = re.sub(r"\n{3,}", "\n\n", msg).strip("\n")
    return names[i], msg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--in", dest="inp", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument(
        "--style-field",
        action="store_true",
        help="also write the chosen style name as 'style' (off by default)",
    )
    a = ap.parse_args()
    n = 0
    with open(a.inp, encoding="utf-8") as fi, open(a.out, "w", encoding="utf-8") as fo:
        for idx, line in enumerate(fi):
            if not line.strip():
                continue
            row = json.loads(line)
            rng = random.Random(f"{a.seed}:{idx}:{row.get('text', '')}")
            style, msg = generate(row.get("text", ""), row.get("category", ""), rng)
            out = dict(row)
            out["plain"] = row.get("text", "")
            out["text"] = msg
            if a.style_field:
                out["style"] = style
            fo.write(json.dumps(out, ensure_ascii=False) + "\n")
            n += 1
    print(f"wrote {n} rows to {a.out}")


if __name__ == "__main__":
    main()
