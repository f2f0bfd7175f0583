#!/usr/bin/env python3
"""Write two-sided chat, messenger and call / speech-to-text transcripts between a customer and
a bank's service side, in which the customer asks the question (verbatim or lightly changed).
Written for kcrm's quality checks without reference to kcrm's note reader; stdlib only.
Usage: python conversation.py --in IN.jsonl --out OUT.jsonl --seed 9
"""

# Each output row = the input row's fields + "plain" (the original text), with "text" replaced
# by the transcript.  The service side stays generic: greets, checks security, looks at the
# account, explains a general process, offers further help.  It never restates or answers the
# specific question.  Randomness is per row, seeded by (seed, row index), so output is
# deterministic.  Style counts are printed to stderr.

import argparse
import json
import random
import re
import sys
from collections import Counter
from datetime import datetime, timedelta

# --------------------------------------------------------------------------
# Pools
# --------------------------------------------------------------------------
# One pool for BOTH sides, so a name never tells you the role.
FIRST = [
    "Priya",
    "Jo",
    "Daniel",
    "Aisha",
    "Tom",
    "Maria",
    "Liam",
    "Chloe",
    "Kwame",
    "Sofia",
    "Ben",
    "Hannah",
    "Mateus",
    "Yuki",
    "Omar",
    "Grace",
    "Luca",
    "Emma",
    "Jamal",
    "Niamh",
    "Ravi",
    "Olivia",
    "Chen",
    "Fatima",
    "Sam",
    "Ellie",
    "Marek",
    "Zara",
    "Josh",
    "Amara",
    "Callum",
    "Leah",
    "Diego",
    "Ingrid",
    "Tariq",
    "Megan",
    "Hugo",
    "Anya",
    "Kofi",
    "Rachel",
    "Sean",
    "Mei",
    "Adebayo",
    "Lucy",
    "Pavel",
    "Nadia",
    "Ryan",
    "Isla",
    "Arjun",
    "Beth",
    "Felix",
    "Rosa",
    "Dev",
    "Holly",
    "Ahmed",
    "Katie",
    "Tobias",
    "Alicia",
    "Gareth",
    "Simone",
    "Jack",
    "Noor",
    "Connor",
    "Elena",
    "Marcus",
    "Sian",
    "Victor",
    "Laura",
    "Ibrahim",
    "Freya",
    "Alex",
    "Jordan",
    "Chris",
    "Taylor",
    "Dana",
    "Robin",
]
LAST = [
    "Smith",
    "Shah",
    "Okafor",
    "Nowak",
    "Garcia",
    "Murphy",
    "Khan",
    "Williams",
    "Chen",
    "Rossi",
    "Jones",
    "Patel",
    "Mensah",
    "Kowalski",
    "Silva",
    "Brown",
    "Taylor",
    "Nguyen",
    "Ali",
    "O'Brien",
    "Fischer",
    "Hughes",
    "Ahmed",
    "Evans",
    "Dubois",
    "Sato",
    "Walker",
    "Hassan",
    "Clarke",
    "Costa",
    "Lewis",
    "Novak",
    "Reid",
    "Ibrahim",
    "Moreau",
    "Kelly",
    "Andersen",
    "Mahmood",
    "Wright",
    "Bianchi",
    "Adeyemi",
    "Green",
    "Fernandes",
    "Campbell",
    "Larsen",
    "Baker",
    "Popescu",
]
# (brand, bot name, domain)
BRANDS = [
    ("Kestrel", "Kes", "kestrel.com"),
    ("Fernleaf Bank", "Fern", "fernleafbank.co.uk"),
    ("Orbit Money", "Orbi", "orbitmoney.com"),
    ("Cobalt", "Coby", "cobalt.app"),
    ("Meridian Bank", "Mia", "meridianbank.com"),
    ("Pennant", "Penny", "pennant.io"),
    ("Brightwater", "Brie", "brightwater.co.uk"),
    ("Quill", "Quinn", "quill.money"),
    ("Lantern Bank", "Lumi", "lanternbank.com"),
    ("Harbor", "Harper", "harbor.finance"),
    ("Tillwell", "Tilly", "tillwell.com"),
    ("Northstar", "Nova", "northstar.bank"),
]
TEAMS = [
    "General Support",
    "Customer Care",
    "Everyday Banking",
    "Support Tier 2",
    "Account Services",
    "Priority Support",
    "Help Team",
    "Customer Support",
]
URL_PATHS = [
    "/help",
    "/contact-us",
    "/support",
    "/help/contact",
    "/app/help",
    "/",
    "/help/get-in-touch",
    "/support/chat",
]
MONTHS = [
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
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# ------------------------------- chat lines --------------------------------
C_HELLO = [
    "hi",
    "Hi",
    "Hello",
    "hello",
    "Hi there",
    "hey",
    "Hey there",
    "hiya",
    "Hi, hope you're well",
    "Hello, hoping you can help me",
    "hi i have a question",
    "Hi, quick question",
    "{tod_greet}",
    "hello?",
    "Hi, can someone help me please",
]
C_WAIT = [
    "ok",
    "okay",
    "Sure",
    "no problem",
    "no rush",
    "ok thanks",
    "thank you",
    "Sure, take your time",
    "np",
    "sure thing",
    "Okay \U0001f642",
    "cool",
    "thanks",
]
C_CHATTER = [
    (
        "sorry, I'm on my lunch break so I might be slow to reply",
        "No worries at all, take your time.",
    ),
    (
        "it's been one of those days haha",
        "Oh no, sorry to hear that! Hopefully I can make it a bit easier.",
    ),
    ("sorry, typing this on the bus", "No problem!"),
    ("I've got a meeting in 20 mins so hopefully this is quick", "I'll be as quick as I can."),
    ("thanks for getting back to me so fast", "You're welcome!"),
    ("the weather's awful here today", "Same here, it's been grey all week!"),
    ("sorry my wifi is a bit patchy", "That's okay, I'll keep the chat open."),
    ("I'm just in the middle of cooking dinner so bear with me", "Sounds good, no rush at all."),
    ("first time using the chat, it's handy", "Glad to hear it!"),
    ("how's your day going?", "Pretty good thanks, busy but good! Yours?"),
]
C_REACT = [
    "ok thank you",
    "Perfect, thanks",
    "great, appreciate it",
    "ok",
    "Okay great",
    "brilliant",
    "that's great thanks",
    "Thanks!",
    "ok cool",
    "Got it, thanks",
]
C_END = [
    "No, that's everything. Thanks for your help!",
    "no that's all thanks",
    "that's it thank you",
    "Nope, all good. Have a good day!",
    "no thats everything cheers",
    "That's all, thanks so much",
    "great thanks, bye",
    "No that's it. Thank you!",
    "all good thanks \U0001f44d",
    "No thanks, you've been really helpful",
    "nope thats it",
    "No, thank you. Bye!",
]
C_OPTION = [
    "The first one please",
    "option 1 please",
    "I'll go with the first one",
    "Send me the link please",
    "the second one is fine",
    "whichever is quicker",
    "Can you do it for me please?",
    "2 please",
    "1",
]
C_YES = ["yes", "Yes", "yep", "Yes that's right", "yeah", "correct", "Yes, that one"]
C_HUMAN = [
    "yes please",
    "Talk to a person",
    "agent",
    "No, talk to a person",
    "human please",
    "yes",
    "speak to someone please",
    "real person please",
]

A_GREET = [
    "Hi {c}, thanks for contacting {brand}. My name is {a}, how can I help you today?",
    "Hello! You're chatting with {a} from {brand}. What can I do for you today?",
    "Hi there, {a} here. How can I help?",
    "Good {tod}, thanks for getting in touch. I'm {a}, how can I help today?",
    "Hi {c} \U0001f44b I'm {a}. How can I help you today?",
    "Hello {c}, thank you for waiting. My name is {a} and I'll be looking after you today. How can "
    "I help?",
    "Welcome to {brand} chat! I'm {a}. What can I help you with?",
]
A_GREET_AFTER = [
    "Hi {c}, thanks for your message. My name is {a} and I'll be helping you today.",
    "Hello {c}, {a} here from {brand}. Thanks for waiting, I've read your message.",
    "Hi {c}! Thanks for reaching out, I'm {a}. Happy to help with this.",
    "Hi, thanks for getting in touch with {brand}. I'm {a}, let me take a look for you.",
    "Good {tod} {c}, I'm {a}. Sorry for the wait, I'll help you with this now.",
    "Hi {c}, I'm {a}. I've read through your chat with {bot}, thanks for your patience.",
    "Hello, my name is {a}. Thanks for your message, I'll be looking after you today.",
]
A_ACK = [
    "Thanks for letting me know. I'll be happy to look into this for you.",
    "Of course, I can help with that.",
    "Thanks for explaining. Let me check this for you.",
    "Sure, let's get this sorted.",
    "No problem at all, I'll take a look now.",
    "Thanks {c}, I'll look into this for you.",
    "Okay, thank you for the details.",
    "Thanks for the message, I can help you with this today.",
]
# (question, kind of answer expected)
A_SEC = [
    (
        "Before I go into your account, could you please confirm your full name and date of birth?",
        "name_dob",
    ),
    ("For security, can you confirm the email address registered to your account?", "email"),
    ("Just so I can access your account, please confirm your date of birth.", "dob"),
    (
        "I'll just need to run a quick security check first. Can you tell me your full name and "
        "the email address on the account?",
        "name_email",
    ),
    ("Can you confirm your date of birth for me, please?", "dob"),
    (
        "To keep your account secure, could you confirm the mobile number registered with us?",
        "phone",
    ),
]
A_SEC_OK = [
    "Thank you, that's all confirmed.",
    "Perfect, thanks {c}.",
    "Great, thank you for confirming.",
    "Thanks, that all matches what I have here.",
    "Thank you, you've passed security.",
    "Lovely, thanks.",
]
A_CLARIFY = [
    "Just to check, is this about the account you're messaging from?",
    "Just so I'm looking at the right thing, is this for your personal account?",
    "And is this on the account registered to this email?",
]
A_CHECK_WAIT = [
    "Give me a moment while I pull up your account.",
    "One moment please while I check a few things on my side.",
    "Please bear with me for a couple of minutes.",
    "Let me have a look at this for you, won't be long.",
    "I'm just checking this now, bear with me.",
    "Let me pull up your details, one sec.",
]
A_CHECK_NOW = [
    "I can see your account here.",
    "Okay, I've got your account open now.",
    "Thanks, I can see your account here.",
]
A_BACK = [
    "Thanks for waiting.",
    "Thank you for your patience.",
    "Thanks for bearing with me.",
    "Sorry for the wait, {c}.",
    "Okay, I'm back.",
    "Thanks for holding on.",
]
A_PROCESS = [
    "I've had a look at your account and added a note, so anyone you speak to next will have the "
    "full history.",
    "What I'm going to do is raise this with the relevant team. They'll follow up with you by "
    "email, and you'll also see an update in the app.",
    "There's also a step-by-step guide for this in the Help section of the app, which I'll send "
    "over to you now.",
    "I've passed this on to our specialist team, and you'll get a confirmation email shortly.",
    "I've sent you a message in the app with all the details we talked about.",
    "The exact process can depend on your account type, so I've sent the details that apply to you "
    "by email.",
    "I've updated your case with everything you've told me.",
    "I've logged this for you with a reference number, which you'll find in your email.",
]
A_PROCESS_FOLLOW = [
    "If you have any questions after reading it, just reply to the email and it will come straight "
    "back to us.",
    "It can sometimes land in your spam folder, so it's worth checking there too.",
]
A_OPTIONS = [
    "There are a couple of ways we can go from here: I can pass this to our specialist team now, "
    "or I can send you a link to the help guide so you can do it yourself in the app. Which would "
    "you prefer?",
    "I can either raise this for you right now, or you can follow the steps in the Help section of "
    "the app. What works best for you?",
    "So you have two options: 1) I handle it from here and our team contacts you by email, or 2) "
    "you follow the guide in the app. Which one would you like?",
]
A_OPT_DONE = [
    "No problem, that's done for you.",
    "Great, I've done that now.",
    "Perfect, I've sent that over.",
    "Sure, all sorted on my side.",
]
A_ANY = [
    "Is there anything else I can help you with today?",
    "Anything else I can do for you?",
    "Is there anything else you need help with?",
    "Can I help with anything else today, {c}?",
]
A_CLOSE = [
    "You're welcome! Have a lovely day.",
    "Thanks for chatting with {brand}. Take care!",
    "My pleasure, {c}. Bye for now!",
    "Glad I could help. Have a great {tod}!",
    "Thanks for getting in touch. Have a good one!",
    "You're very welcome. Take care, {c}.",
]

B_HELLO = [
    "Hi! I'm {bot}, your virtual assistant \U0001f916 Ask me anything, or choose an option below.",
    "Hello and welcome to {brand}! I'm {bot}, {brand}'s digital assistant. How can I help you "
    "today?",
    "Hi there! I'm {bot}. I can answer most questions in seconds. What would you like help with?",
    "Hi {c}! I'm {bot}, your digital assistant. Type your question below and I'll do my best to "
    "help.",
]
B_OPTS = [
    "[Ask a question] [Talk to a person] [Browse help articles]",
    "Choose an option: Ask a question | Talk to the team | Help centre",
]
B_FALLBACK = [
    (
        "I'm sorry, I'm not sure I understood that. Would you like to speak to someone from our "
        "team?",
        True,
    ),
    (
        "Thanks! Here are a few help articles that might be useful. Did that answer your question? "
        "[Yes] [No, talk to a person]",
        True,
    ),
    ("Hmm, I'm still learning. Let me connect you with one of our team.", False),
    ("I can help with that, but I'll need to pass you to a member of our team first.", False),
    ("Sorry, I couldn't find an answer to that. Do you want me to connect you to a person?", True),
]
B_HANDOFF = [
    "Connecting you to an agent. Current wait time is about {n} minutes.",
    "Okay! I'm connecting you with the team now. Someone will be with you shortly.",
    "Thanks, you're in the queue. Position: {n}.",
    "Got it. I've passed your conversation to our team, they'll reply here.",
]

# ------------------------------ speech lines -------------------------------
S_GREET = [
    "Thank you for calling {brand}, you're speaking with {a}. This call may be recorded for "
    "training and quality purposes. How can I help you today?",
    "Good {tod}, {brand}, {a} speaking. Please be aware calls are recorded for quality and "
    "training purposes. How can I help?",
    "Hi, thanks for calling {brand}. My name's {a}. Just to let you know this call is being "
    "recorded. What can I do for you today?",
    "Welcome to {brand}, my name is {a}. Before we start, this call may be monitored or recorded. "
    "How can I help?",
]
S_GREET_SEC = [
    "Thank you for calling {brand}, you're through to {a}. Calls are recorded for quality and "
    "training purposes. Can I start by taking your full name, please?",
    "Hello, {brand}, this is {a}. This call may be recorded. Before I can help, I just need to "
    "take you through security. Could I have your full name?",
]
S_GREET_LATE = [
    "Hi there, sorry about that, you're through to {a} at {brand}. Just so you know, this call may "
    "be recorded.",
    "Hello, sorry, the line went quiet for a second there. It's {a} at {brand}, and calls are "
    "recorded for quality purposes.",
]
S_CALLBACK = [
    "Hi, is that {c}? It's {a} calling from {brand}, you asked for a call back. Just so you know, "
    "this call is recorded. How can I help?",
    "Hello, am I speaking with {c}? This is {a} from {brand} returning your call. The call may be "
    "recorded for quality purposes. What can I help with today?",
]
S_C_HI = [
    "Yeah, hi.",
    "Hi, yeah.",
    "Oh hi, hello.",
    "Hello, hi.",
    "Hi there.",
    "Yeah hi, um.",
    "Hiya.",
    "Hi, yes, thanks.",
]
S_C_HELLO_FIRST = ["Hello? Oh, hi.", "Hello? Is that {brand}?", "Hi, hello, yes.", "Oh, hello, hi."]
S_ACK = [
    "Okay, yeah, I can help you with that.",
    "Right, okay. I can definitely look into that for you.",
    "Okay, no problem at all.",
    "Sure, I can help with that today.",
    "Mm-hmm, okay, let's have a look.",
]
S_SEC = [
    "Before I go into the account, I just need to ask you a couple of security questions. Can I "
    "take your full name, please?",
    "First I just need to take you through security. Could I have your full name?",
    "Can I just take your full name to start with?",
]
S_DOB_Q = [
    "Thank you. And can you confirm your date of birth?",
    "And your date of birth, please?",
    "Lovely, and the date of birth on the account?",
]
S_SEC_OK = [
    "Thank you, that's you through security.",
    "Perfect, that's all confirmed, thank you.",
    "Brilliant, thanks for that.",
    "Okay, lovely, that all matches.",
]
S_CHECK = [
    "Okay, let me just bring up your account.",
    "Right, I can see your account here.",
    "Bear with me one second.",
    "Just give me a moment while that loads up, the system's a bit slow today.",
    "Okay, I'm just having a look now.",
]
S_HOLD_ASK = [
    "Would you mind if I pop you on a brief hold while I check that?",
    "I'm just going to put you on hold for a minute or two, is that okay?",
    "Can I place you on a short hold?",
]
S_C_OK = [
    "Yeah, that's fine.",
    "Yeah, sure.",
    "Okay.",
    "Yep, no problem.",
    "Mm-hmm.",
    "Yeah, go ahead.",
]
S_BACK = [
    "Thank you for holding.",
    "Hi, thanks for holding.",
    "Thanks for waiting there.",
    "Sorry about the wait.",
]
S_PROCESS = [
    "So what I've done is I've added a note to your account, and I've raised it with the team that "
    "looks after this. They'll be in touch by email.",
    "So what I'm going to do is send you a text with a link to the guide, and it takes you through "
    "it step by step in the app.",
    "Okay, so I've logged that for you, and you'll get an email confirming everything we've talked "
    "about today.",
    "What I'd suggest is having a look in the help section in the app, but I've also put a note on "
    "the account so if you call back, anyone can pick it up.",
    "So I've passed that over to my colleagues in the specialist team, and they'll contact you "
    "directly.",
]
S_C_REACT = [
    "Okay, brilliant.",
    "Oh, okay, great.",
    "Right, okay, that's fine.",
    "Okay, thank you.",
    "Perfect.",
    "Oh, that's good, thanks.",
    "Yeah, okay.",
]
S_ANY = [
    "Is there anything else I can help you with today?",
    "Was there anything else at all?",
    "Anything else I can do for you today?",
]
S_C_END = [
    "No, that's everything, thank you.",
    "No, that's it, thanks.",
    "No, that's all. Thanks for your help.",
    "Nope, that's it, cheers.",
    "No, you've been really helpful, thank you.",
]
S_CLOSE = [
    "Thank you for calling {brand}, have a lovely day.",
    "You're welcome. Take care, bye bye.",
    "No problem at all, have a good rest of your day. Bye.",
    "Thanks for calling, bye now.",
]
S_C_BYE = ["Bye.", "Thanks, bye.", "Bye bye.", "Cheers, bye.", "You too, bye."]
S_CHATTER = [
    ("Sorry, I'm just driving, you're on speaker.", "No worries."),
    ("Sorry, it's a bit noisy here.", "That's okay, I can hear you fine."),
    ("Sorry, my signal's not great.", "That's fine, you're coming through okay."),
    ("Sorry, I've got the kids in the background.", "Ha, no problem at all."),
    ("How are you today?", "I'm good, thank you for asking."),
]
S_BACKCH = ["Mm-hmm.", "Okay.", "Yeah.", "Right.", "Uh-huh."]
S_IVR = [
    "Welcome to {brand}. Calls may be recorded for training and quality purposes. Please hold "
    "while we connect you to a member of our team.",
    "Thank you for calling {brand}. Your call is important to us. You are number {n} in the queue.",
]

ONES = [
    "",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ORD = {
    1: "first",
    2: "second",
    3: "third",
    4: "fourth",
    5: "fifth",
    6: "sixth",
    7: "seventh",
    8: "eighth",
    9: "ninth",
    10: "tenth",
    11: "eleventh",
    12: "twelfth",
    13: "thirteenth",
    14: "fourteenth",
    15: "fifteenth",
    16: "sixteenth",
    17: "seventeenth",
    18: "eighteenth",
    19: "nineteenth",
    20: "twentieth",
    30: "thirtieth",
}


def num_words(n):
    if n < 20:
        return ONES[n]
    return TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])


def ord_words(n):
    if n in ORD:
        return ORD[n]
    return TENS[n // 10] + " " + ORD[n % 10]


def year_words(y):
    if y >= 2000:
        return "two thousand" + ("" if y == 2000 else " and " + num_words(y - 2000))
    hi, lo = divmod(y, 100)
    return num_words(hi) + " " + (("oh " + ONES[lo]) if lo < 10 else num_words(lo))


# --------------------------------------------------------------------------
# Context
# --------------------------------------------------------------------------
class Ctx:
    def __init__(self, rng):
        self.brand, self.bot, self.domain = rng.choice(BRANDS)
        cf = rng.choice(FIRST)
        af = rng.choice([f for f in FIRST if f != cf])
        self.cfirst, self.clast = cf, rng.choice(LAST)
        self.afirst, self.alast = af, rng.choice(LAST)
        base = datetime(2025, 1, 1) + timedelta(days=rng.randint(0, 454))
        hour = rng.choices(range(7, 23), weights=[2, 5, 8, 9, 9, 9, 8, 8, 8, 7, 6, 5, 4, 3, 2, 1])[
            0
        ]
        self.start = base.replace(hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59))
        self.tod = "morning" if hour < 12 else ("afternoon" if hour < 18 else "evening")
        self.dob = datetime(1950, 1, 1) + timedelta(days=rng.randint(0, 54 * 365))
        sep = rng.choice([".", "_", ""])
        user = cf.lower() + sep + self.clast.lower().replace("'", "")
        num = rng.choice(["", "", str(rng.randint(1, 99))])
        host = rng.choice(["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.co.uk"])
        self.email = f"{user}{num}@{host}"
        self.phone_uk = rng.random() < 0.6
        if self.phone_uk:
            d = rng.randint(0, 999)
            self.phone = f"+44 7700 900{d:03d}"
            self.phone_local = f"07700 900{d:03d}"
        else:
            d = rng.randint(100, 199)
            self.phone = f"+1 (555) 01{d % 100:02d}-{rng.randint(1000, 9999):04d}"
            self.phone_local = self.phone[3:]
        self.agent_id = rng.randint(1000, 9999)
        self.team = rng.choice(TEAMS)
        self.url = f"https://www.{self.domain}{rng.choice(URL_PATHS)}"

    def fill(self, s, rng=None):
        return s.format(
            c=self.cfirst,
            a=self.afirst,
            brand=self.brand,
            bot=self.bot,
            tod=self.tod,
            n=(rng.randint(2, 6) if rng else 3),
            tod_greet="good " + self.tod,
        )

    def dob_text(self, rng):
        d = self.dob
        f = rng.randint(0, 4)
        if f == 0:
            return d.strftime("%d/%m/%Y")
        if f == 1:
            return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
        if f == 2:
            return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
        if f == 3:
            return d.strftime("%d.%m.%y")
        return f"{d.day}/{d.month}/{d.year}"

    def dob_spoken(self, rng):
        d = self.dob
        if rng.random() < 0.5:
            return f"The {ord_words(d.day)} of {MONTHS[d.month - 1]}, {year_words(d.year)}."
        return f"It's {ord_words(d.day)} {MONTHS[d.month - 1]}, {year_words(d.year)}."


def disp(rng, first, last, customer=False):
    forms = ["f", "fl", "fL.", "fL"] + (["lower", "fl"] if customer else ["f"])
    f = rng.choice(forms)
    if f == "f":
        return first
    if f == "fl":
        return first + " " + last
    if f == "fL.":
        return first + " " + last[0] + "."
    if f == "fL":
        return first + " " + last[0]
    return (first + " " + last).lower()


# --------------------------------------------------------------------------
# Question transforms
# --------------------------------------------------------------------------
def strip_punct(s, rng):
    s2 = re.sub(r"[?!.]+(\s|$)", r"\1", s)
    if rng.random() < 0.5:
        s2 = s2.replace(",", "")
    return re.sub(r"\s+", " ", s2).strip()


def split_two(s, rng):
    words = s.split()
    n = len(words)
    if n < 6:
        return None
    cands = [i for i in range(2, n - 1) if re.search(r"[,.;?!]$", words[i - 1])]
    if cands and rng.random() < 0.8:
        k = rng.choice(cands)
    else:
        conj = [
            i
            for i in range(2, n - 1)
            if words[i].lower()
            in (
                "and",
                "but",
                "because",
                "so",
                "if",
                "when",
                "or",
                "i",
                "my",
                "is",
                "can",
                "how",
                "what",
                "why",
            )
        ]
        if conj and rng.random() < 0.6:
            k = rng.choice(conj)
        else:
            k = rng.randint(max(2, n // 3), max(2, min(n - 2, (2 * n) // 3)))
    a = " ".join(words[:k]).rstrip(",;")
    b = " ".join(words[k:])
    return [a, b]


def chat_question(q, rng, split_p=0.22):
    s = q.strip()
    m = rng.choices(["verbatim", "lower", "nopunct", "lower_nopunct"], weights=[40, 18, 14, 28])[0]
    if "lower" in m:
        s = s.lower()
    if "nopunct" in m:
        s = strip_punct(s, rng)
    if rng.random() < split_p:
        parts = split_two(s, rng)
        if parts:
            return parts
    return [s]


def lower_first(s):
    if re.match(r"^I(\s|'|$)", s) or not s:
        return s
    return s[0].lower() + s[1:]


def speech_question(q, rng):
    """Punctuated spoken form, possibly with fillers, possibly split in two."""
    s = q.strip()
    words = s.split()
    if len(words) > 4 and rng.random() < 0.35:
        k = rng.randint(1, len(words) - 2)
        if not re.search(r"[,.;?!]$", words[k - 1]):
            words[k - 1] += ","
        words.insert(k, rng.choice(["um,", "uh,", "er,", "you know,"]))
        s = " ".join(words)
    parts = [s]
    if rng.random() < 0.25:
        parts = split_two(s, rng) or [s]
    if rng.random() < 0.55:
        pre = rng.choice(
            [
                "Um, ",
                "Uh, ",
                "So, um, ",
                "Yeah, so ",
                "So ",
                "Um, so ",
                "Yeah, um, ",
                "Right, so ",
                "Okay, um, ",
            ]
        )
        parts[0] = pre + lower_first(parts[0])
    return parts


def raw_stt(s):
    s = s.lower()
    s = re.sub(r"[^\w\s'\-]", " ", s)
    s = re.sub(r"(?<!\w)['\-]|['\-](?!\w)", " ", s)
    return re.sub(r"\s+", " ", s).strip()


# --------------------------------------------------------------------------
# Conversation builders.  A turn: dict(r=role, t=text, k=sys kind, s=offset secs)
# roles: C customer, A agent, B bot, S system
# --------------------------------------------------------------------------
class Chat:
    def __init__(self, rng):
        self.rng = rng
        self.t = 0.0
        self.turns = []

    def add(self, role, text="", kind=None, gap=None, **kw):
        rng = self.rng
        if gap is None:
            if role == "C":
                gap = rng.uniform(6, 45) + len(text) * rng.uniform(0.05, 0.25)
            elif role == "A":
                gap = rng.uniform(8, 55)
            elif role == "B":
                gap = rng.uniform(1, 3)
            else:
                gap = rng.uniform(0, 2)
        self.t += gap
        d = dict(r=role, t=text, k=kind, s=self.t)
        d.update(kw)
        self.turns.append(d)


def build_chat(rng, ctx, q, mode, casual=False, name_known=True, split_p=0.22):
    ch = Chat(rng)
    known = [name_known]

    def f(s):
        return ctx.fill(s, rng)

    def pick(pool):
        if known[0]:
            return rng.choice(pool)
        return rng.choice([x for x in pool if "{c}" not in x])

    qm = chat_question(q, rng, split_p)
    ch.t = 0.0
    ch.add("S", kind="start", gap=0)
    if rng.random() < 0.5 and not casual:
        ch.add("S", kind="url")
    greet_after = [g for g in A_GREET_AFTER if ("{bot}" not in g or mode == "bot_first")]
    if not name_known:
        greet_after = [g for g in greet_after if "{c}" not in g]
    greet = A_GREET if name_known else [g for g in A_GREET if "{c}" not in g]
    if mode == "bot_first":
        ch.add("B", f(pick(B_HELLO)), gap=1)
        if rng.random() < 0.4:
            ch.add("B", rng.choice(B_OPTS), gap=0.5)
            if rng.random() < 0.5:
                ch.add("C", "Ask a question")
                ch.add("B", "Sure! What would you like to ask?")
        for m in qm:
            ch.add("C", m)
        fb, asks = rng.choice(B_FALLBACK)
        ch.add("B", fb)
        if asks:
            ch.add("C", rng.choice(C_HUMAN))
        ch.add("B", f(rng.choice(B_HANDOFF)))
        if rng.random() < 0.6:
            ch.add("S", kind="transfer")
        ch.add("S", kind="join", gap=rng.uniform(20, 300))
        ch.add("A", f(rng.choice(greet_after)), gap=rng.uniform(3, 20))
    elif mode == "cust_first":
        if rng.random() < 0.45:
            ch.add("C", f(rng.choice(C_HELLO)), gap=0)
        for m in qm:
            ch.add("C", m)
        if rng.random() < 0.35:
            ch.add("S", kind="queue")
        ch.add("S", kind="join", gap=rng.uniform(15, 300))
        ch.add("A", f(rng.choice(greet_after)), gap=rng.uniform(3, 20))
    else:  # agent first
        ch.add("S", kind="join")
        ch.add("A", f(rng.choice(greet)), gap=rng.uniform(1, 6))
        if rng.random() < 0.4:
            ch.add("C", f(rng.choice(C_HELLO)))
        if rng.random() < 0.12:
            c1, a1 = rng.choice(C_CHATTER)
            ch.add("C", c1)
            ch.add("A", a1)
        for m in qm:
            ch.add("C", m)

    # middle
    if rng.random() < 0.7:
        ch.add("A", f(pick(A_ACK)))
    if rng.random() < 0.6:
        qsec, kind = rng.choice(A_SEC)
        ch.add("A", qsec, gap=rng.uniform(2, 10))
        full = ctx.cfirst + " " + ctx.clast
        if kind == "name_dob":
            ans = rng.choice(
                [
                    f"{full}, {ctx.dob_text(rng)}",
                    f"{full.lower()} {ctx.dob_text(rng)}",
                    f"Sure, it's {full} and {ctx.dob_text(rng)}",
                ]
            )
        elif kind == "dob":
            ans = rng.choice(
                [ctx.dob_text(rng), "sure, " + ctx.dob_text(rng), "it's " + ctx.dob_text(rng)]
            )
        elif kind == "email":
            ans = rng.choice([ctx.email, "it's " + ctx.email, ctx.email + " I think"])
        elif kind == "name_email":
            ans = f"{full}, {ctx.email}"
        else:
            ans = rng.choice([ctx.phone_local, ctx.phone, "it's " + ctx.phone_local])
        ch.add("C", ans)
        if kind in ("name_dob", "name_email"):
            known[0] = True
        ch.add("A", f(pick(A_SEC_OK)))
    if rng.random() < 0.15:
        ch.add("A", rng.choice(A_CLARIFY), gap=rng.uniform(2, 15))
        ch.add("C", rng.choice(C_YES))
    if rng.random() < 0.6:
        ch.add("A", f(rng.choice(A_CHECK_WAIT)), gap=rng.uniform(2, 15))
        if rng.random() < 0.55:
            ch.add("C", rng.choice(C_WAIT))
        if rng.random() < 0.15 and mode != "agent_first":
            c1, a1 = rng.choice(C_CHATTER)
            ch.add("C", c1)
            ch.add("A", a1)
        ch.add("A", f(pick(A_BACK)), gap=rng.uniform(45, 300))
    if rng.random() < 0.35:
        ch.add("A", rng.choice(A_CHECK_NOW), gap=rng.uniform(2, 15))
    if rng.random() < 0.3:
        ch.add("A", rng.choice(A_OPTIONS))
        ch.add("C", rng.choice(C_OPTION))
        ch.add("A", rng.choice(A_OPT_DONE))
    else:
        for p in rng.sample(A_PROCESS, rng.choice([1, 1, 2])):
            ch.add("A", p)
        if "email" in p and rng.random() < 0.3:
            ch.add("A", rng.choice(A_PROCESS_FOLLOW), gap=rng.uniform(3, 20))
    if rng.random() < 0.55:
        ch.add("C", rng.choice(C_REACT))
    r = rng.random()
    if r < 0.75:
        ch.add("A", f(pick(A_ANY)))
        ch.add("C", rng.choice(C_END))
        if rng.random() < 0.7:
            ch.add("A", f(pick(A_CLOSE)))
        if rng.random() < 0.5:
            ch.add("S", kind="left")
    elif r < 0.9:
        ch.add("A", f(pick(A_ANY)))
        ch.add("S", kind="left", gap=rng.uniform(60, 400))
    else:
        ch.add("C", rng.choice(C_END))
        ch.add("A", f(pick(A_CLOSE)))
    ch.add("S", kind="end", gap=rng.uniform(5, 90))
    if casual:
        for tr in ch.turns:
            if tr["r"] == "C" and tr["t"] not in qm and rng.random() < 0.5:
                tr["t"] = tr["t"].lower().rstrip("!.")
    return ch.turns


def build_call(rng, ctx, q, mode=None):
    """Phone call turns with punctuated speech; offsets in seconds of audio."""
    turns = []
    t = [rng.uniform(0.2, 2.0)]

    def add(role, text="", kind=None, dur=None, **kw):
        if role == "S" and dur is None:
            dur = float(kw.get("secs", 0))
        if dur is None:
            dur = len(text.split()) / rng.uniform(2.3, 3.2) + 0.4
        d = dict(r=role, t=text, k=kind, s=t[0], e=t[0] + dur)
        d.update(kw)
        turns.append(d)
        t[0] += dur + rng.uniform(0.2, 1.4)

    def f(s):
        return ctx.fill(s, rng)

    if mode is None:
        mode = rng.choices(
            ["agent", "sec_first", "cust_first", "callback", "ivr"], weights=[40, 18, 14, 10, 18]
        )[0]
    qp = speech_question(q, rng)
    full = ctx.cfirst + " " + ctx.clast

    def ask_q():
        for i, p in enumerate(qp):
            add("C", p)
            if i == 0 and len(qp) > 1:
                add("A", rng.choice(S_BACKCH))

    def security():
        add("A", rng.choice(S_SEC))
        add("C", rng.choice(["Yeah, it's %s.", "%s.", "Sure, %s."]) % full)
        if rng.random() < 0.15:
            add("S", kind="noise")
            add("A", "Sorry, could you repeat that?")
            add("C", f"{full}.")
        add("A", rng.choice(S_DOB_Q))
        add("C", ctx.dob_spoken(rng))
        add("A", rng.choice(S_SEC_OK))

    if mode == "ivr":
        add("I", f(rng.choice(S_IVR)))
        add("S", kind="hold", secs=rng.randint(20, 240))
        mode = "agent"
    if mode == "agent":
        add("A", f(rng.choice(S_GREET)))
        if rng.random() < 0.4:
            add("C", rng.choice(S_C_HI))
        if rng.random() < 0.12:
            c1, a1 = rng.choice(S_CHATTER)
            add("C", c1)
            add("A", a1)
        ask_q()
        add("A", rng.choice(S_ACK))
        if rng.random() < 0.75:
            security()
    elif mode == "sec_first":
        add("A", f(rng.choice(S_GREET_SEC)))
        add("C", rng.choice(["Yeah, it's %s.", "Hi, yes, %s.", "%s."]) % full)
        add("A", rng.choice(S_DOB_Q))
        add("C", ctx.dob_spoken(rng))
        add(
            "A",
            rng.choice(S_SEC_OK)
            + " "
            + rng.choice(
                [
                    "So how can I help today?",
                    "What can I do for you?",
                    "And what's the reason for your call today?",
                ]
            ),
        )
        ask_q()
        add("A", rng.choice(S_ACK))
    elif mode == "cust_first":
        add("C", f(rng.choice(S_C_HELLO_FIRST)))
        add("A", f(rng.choice(S_GREET_LATE)) + " How can I help?")
        if rng.random() < 0.12:
            c1, a1 = rng.choice(S_CHATTER)
            add("C", c1)
            add("A", a1)
        ask_q()
        add("A", rng.choice(S_ACK))
        if rng.random() < 0.7:
            security()
    else:  # callback
        add("A", f(rng.choice(S_CALLBACK)))
        add("C", rng.choice(["Yes, speaking.", "Yeah, that's me, hi.", "Oh, hi, yes."]))
        ask_q()
        add("A", rng.choice(S_ACK))
        if rng.random() < 0.7:
            security()

    add("A", rng.choice(S_CHECK))
    if rng.random() < 0.45:
        add("A", rng.choice(S_HOLD_ASK))
        add("C", rng.choice(S_C_OK))
        add("S", kind="hold", secs=rng.randint(25, 300))
        add("A", rng.choice(S_BACK))
        if rng.random() < 0.5:
            add("C", rng.choice(["Hi, yeah.", "Yep, still here.", "Hello.", "Yeah."]))
    add("A", rng.choice(S_PROCESS))
    add("C", rng.choice(S_C_REACT))
    if rng.random() < 0.2:
        add("A", "And you'll also get a text message confirming that.")
        add("C", rng.choice(S_BACKCH))
    add("A", rng.choice(S_ANY))
    add("C", rng.choice(S_C_END))
    add("A", f(rng.choice(S_CLOSE)))
    if rng.random() < 0.7:
        add("C", rng.choice(S_C_BYE))
    # light filler sprinkling into non-question customer lines and some agent lines
    qs = set(qp)
    first_a = next((i for i, tr in enumerate(turns) if tr["r"] == "A"), -1)
    for i, tr in enumerate(turns):
        if i == first_a or tr["t"] in S_BACKCH:
            continue
        if tr["r"] in "AC" and tr["t"] not in qs and rng.random() < 0.12:
            tr["t"] = rng.choice(["Um, ", "Uh, ", "Um, ", "Er, "]) + lower_first(tr["t"])
    return turns


# --------------------------------------------------------------------------
# Time formatting helpers
# --------------------------------------------------------------------------
def h12(dt, secs=True, pad=True):
    h = dt.hour % 12 or 12
    s = (f"{h:02d}" if pad else str(h)) + f":{dt.minute:02d}"
    if secs:
        s += f":{dt.second:02d}"
    return s + (" AM" if dt.hour < 12 else " PM")


def hms(sec, ms=False, hours=True):
    sec = max(0.0, sec)
    h, rem = divmod(int(sec), 3600)
    m, s = divmod(rem, 60)
    out = f"{h:02d}:{m:02d}:{s:02d}" if hours else f"{m + 60 * h}:{s:02d}"
    if ms:
        out += f".{int(round((sec - int(sec)) * 1000) % 1000):03d}"
    return out


def dur_s(sec):
    m, s = divmod(int(sec), 60)
    return f"{m}m {s}s" if m else f"{s}s"


def at(ctx, tr):
    return ctx.start + timedelta(seconds=tr["s"])


def chat_id(rng, n=10):
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(n))


# --------------------------------------------------------------------------
# Styles
# --------------------------------------------------------------------------
def names_for(rng, ctx):
    cust = disp(rng, ctx.cfirst, ctx.clast, customer=True)
    agent = disp(rng, ctx.afirst, ctx.alast)
    return cust, agent


def pick_mode(rng, w=(35, 40, 25)):
    return rng.choices(["agent_first", "cust_first", "bot_first"], weights=w)[0]


def style_zendesk(rng, ctx, q):
    cust, agent = names_for(rng, ctx)
    if rng.random() < 0.15:
        agent = f"{ctx.brand} Support"
    bot = rng.choice([f"{ctx.brand} Bot", ctx.bot, "Answer Bot"])
    turns = build_chat(rng, ctx, q, pick_mode(rng))
    ampm = rng.random() < 0.6
    ft = (lambda d: h12(d)) if ampm else (lambda d: d.strftime("%H:%M:%S"))
    lines = []
    if rng.random() < 0.5:
        lines.append(f"Conversation with {cust}")
    st = ctx.start
    lines.append(
        f"Chat started: {st.strftime('%Y-%m-%d')} "
        f"{h12(st, secs=False) if ampm else st.strftime('%H:%M')} "
        f"{rng.choice(['UTC', 'GMT', '(GMT+0)'])}"
    )
    lines.append("")
    for tr in turns:
        ts = f"({ft(at(ctx, tr))})"
        if tr["r"] == "S":
            k = tr["k"]
            if k == "url":
                lines.append(f"{ts} *** {cust} joined the chat from {ctx.url} ***")
            elif k == "join":
                lines.append(f"{ts} *** {agent} joined the chat ***")
            elif k == "transfer":
                lines.append(f"{ts} *** Chat transferred to {ctx.team} ***")
            elif k == "left":
                lines.append(f"{ts} *** {cust} left the chat ***")
            elif k == "queue":
                lines.append(f"{ts} *** Waiting for an agent ***")
            continue
        who = {"C": cust, "A": agent, "B": bot}[tr["r"]]
        lines.append(f"{ts} {who}: {tr['t']}")
    return "\n".join(lines)


def style_intercom(rng, ctx, q):
    cust, agent = names_for(rng, ctx)
    turns = build_chat(rng, ctx, q, pick_mode(rng, (10, 35, 55)))
    bot = rng.choice([f"{ctx.bot} (Bot)", f"{ctx.brand} Bot", ctx.bot])
    dfmt = rng.choice(["%-d %b %Y, %H:%M", "%b %-d, %Y %-I:%M %p", "%d/%m/%Y %H:%M"])
    lines = [
        f"Conversation with {cust}"
        if rng.random() < 0.6
        else f"Conversation #{rng.randint(10**10, 10**11)}",
        f"Started on {ctx.start.strftime('%-d %B %Y')}",
        "",
    ]
    for tr in turns:
        d = at(ctx, tr).strftime(dfmt)
        if tr["r"] == "S":
            k = tr["k"]
            msg = {
                "join": f"{agent} joined the conversation",
                "transfer": f"{ctx.bot} assigned this conversation to {ctx.team}",
                "left": None,
                "queue": f"Assigned to {ctx.team}",
                "end": f"{agent} closed the conversation" if rng.random() < 0.6 else None,
            }.get(k)
            if msg:
                lines.append(f"— {msg} · {d} —")
                lines.append("")
            continue
        who = {"C": cust, "A": agent, "B": bot}[tr["r"]]
        lines.append(f"{who} · {d}")
        lines.append(tr["t"])
        lines.append("")
    return "\n".join(lines).rstrip()


def style_livechat(rng, ctx, q):
    cust, agent = names_for(rng, ctx)
    turns = build_chat(rng, ctx, q, pick_mode(rng, (45, 45, 10)))
    bot = f"{ctx.brand} Bot"
    lines = [
        "Chat transcript",
        f"Chat ID: {chat_id(rng)} | {ctx.start.strftime('%a, %b %-d, %Y')}",
    ]
    for tr in turns:
        ts = f"[{at(ctx, tr).strftime('%H:%M:%S')}]"
        if tr["r"] == "S":
            k = tr["k"]
            if k == "url":
                src = (
                    ctx.url
                    if rng.random() < 0.7
                    else rng.choice([f"{ctx.brand} iOS app", f"{ctx.brand} Android app"])
                )
                lines.append(f"{ts} Visitor joined from {src}")
            elif k == "join":
                lines.append(f"{ts} {agent} has joined the chat.")
            elif k == "transfer":
                lines.append(f"{ts} Chat transferred to {ctx.team}")
            elif k == "queue":
                lines.append(f"{ts} Visitor is waiting in the queue")
            elif k == "left":
                lines.append(f"{ts} {cust} left the chat")
            elif k == "end":
                lines.append(f"{ts} Chat closed by {rng.choice([agent, cust])}")
            continue
        who = {"C": cust, "A": agent, "B": bot}[tr["r"]]
        lines.append(f"{ts} {who}: {tr['t']}")
    return "\n".join(lines)


def style_salesforce(rng, ctx, q):
    cust, _ = names_for(rng, ctx)
    agent = f"{ctx.afirst} {ctx.alast[0]}"
    turns = build_chat(rng, ctx, q, pick_mode(rng, (50, 35, 15)))
    st = ctx.start
    lines = [
        f"Chat Started: {DAYS[st.weekday()]}, {MONTHS[st.month - 1]} {st.day:02d}, {st.year}, "
        f"{st.strftime('%H:%M:%S')} (+0000)",
        f"Chat Origin: {rng.choice(['Web Chat', 'Help Centre', 'Mobile App', 'Support'])}",
    ]
    t0 = None
    for tr in turns:
        if tr["r"] == "S":
            k = tr["k"]
            if k == "join":
                lines.append(f"Agent {agent}")
                t0 = t0 if t0 is not None else tr["s"]
            elif k == "transfer":
                lines.append(f"Chat Transferred From {ctx.bot} To {ctx.team}")
            continue
        if t0 is None:
            t0 = 0.0
        rel = f"( {dur_s(tr['s'] - 0.0)} )"
        who = {"C": cust, "A": agent, "B": f"{ctx.brand} Bot"}[tr["r"]]
        lines.append(f"{rel} {who}: {tr['t']}")
    return "\n".join(lines)


def style_widget_bot(rng, ctx, q):
    cust = rng.choice([ctx.cfirst, ctx.cfirst, f"{ctx.cfirst} {ctx.clast}"])
    agent = rng.choice([ctx.afirst, f"{ctx.afirst} {ctx.alast[0]}."])
    bot = rng.choice([f"{ctx.brand} Bot", ctx.bot, f"{ctx.brand} Assistant"])
    turns = build_chat(rng, ctx, q, "bot_first")
    tsfmt = rng.choice([None, "[%H:%M]", "%H:%M", "[%-I:%M %p]"])
    lines = []
    for tr in turns:
        pre = (at(ctx, tr).strftime(tsfmt) + " ") if tsfmt else ""
        if tr["r"] == "S":
            k = tr["k"]
            msg = {
                "start": "Chat started",
                "transfer": f"Chat transferred to {ctx.team}",
                "join": f"{agent} has joined the chat",
                "left": f"{cust} has left the chat",
                "end": "Chat ended",
            }.get(k)
            if msg:
                lines.append(pre + "--- " + msg + " ---")
            continue
        who = {"C": cust, "A": agent, "B": bot}[tr["r"]]
        lines.append(f"{pre}{who}: {tr['t']}")
    return "\n".join(lines)


def _wa_names(rng, ctx):
    cust = rng.choice(
        [
            f"{ctx.cfirst} {ctx.clast}",
            ctx.cfirst,
            ctx.phone,
            f"{ctx.cfirst} {ctx.clast[0]}",
        ]
    )
    agent = rng.choice([ctx.afirst, ctx.brand, f"{ctx.brand} Support", f"{ctx.afirst} {ctx.alast}"])
    return cust, agent


def _wa_turns(rng, ctx, q, agent):
    turns = build_chat(
        rng,
        ctx,
        q,
        rng.choice(["cust_first", "cust_first", "agent_first"]),
        casual=True,
        name_known=rng.random() < 0.5,
        split_p=0.3,
    )
    if agent in (ctx.brand, f"{ctx.brand} Support"):
        # shared business number: agents sign their messages
        for tr in turns:
            if tr["r"] == "A" and rng.random() < 0.25:
                tr["t"] = tr["t"] + " ^" + ctx.afirst[0] + ctx.alast[0]
    return turns


def style_whatsapp_ios(rng, ctx, q):
    cust, agent = _wa_names(rng, ctx)
    turns = _wa_turns(rng, ctx, q, agent)
    us = rng.random() < 0.3
    lines = []
    first = at(ctx, turns[0])
    stamp = first.strftime("%m/%d/%y, %-I:%M:%S %p") if us else first.strftime("%d/%m/%Y, %H:%M:%S")
    lines.append(
        f"[{stamp}] {agent}: \u200eMessages and calls are end-to-end encrypted. "
        "No one outside of this chat, not even WhatsApp, can read or listen to them."
    )
    for tr in turns:
        if tr["r"] in "SB":
            continue
        d = at(ctx, tr)
        ts = d.strftime("%m/%d/%y, %-I:%M:%S %p") if us else d.strftime("%d/%m/%Y, %H:%M:%S")
        who = cust if tr["r"] == "C" else agent
        lines.append(f"[{ts}] {who}: {tr['t']}")
    return "\n".join(lines)


def style_whatsapp_android(rng, ctx, q):
    cust, agent = _wa_names(rng, ctx)
    turns = _wa_turns(rng, ctx, q, agent)
    us = rng.random() < 0.5
    lines = []
    for tr in turns:
        if tr["r"] in "SB":
            continue
        d = at(ctx, tr)
        ts = (
            f"{d.month}/{d.day}/{d.strftime('%y')}, {h12(d, secs=False, pad=False)}"
            if us
            else d.strftime("%d/%m/%Y, %H:%M")
        )
        who = cust if tr["r"] == "C" else agent
        lines.append(f"{ts} - {who}: {tr['t']}")
    return "\n".join(lines)


def _speaker_labels(turns, labels):
    order = []
    for tr in turns:
        if tr["r"] in "AC" and tr["r"] not in order:
            order.append(tr["r"])
    return {r: labels[i] for i, r in enumerate(order)}


def _hold_note(rng, secs):
    return rng.choice(
        [
            f"[hold {hms(secs, hours=False).zfill(5)}]",
            "[hold music]",
            "[music]",
            f"(on hold {secs}s)",
            f"[silence {secs}s]",
        ]
    )


def style_stt_speaker(rng, ctx, q):
    turns = build_call(rng, ctx, q)
    lab = _speaker_labels(
        turns, ["Speaker 1", "Speaker 2"] if rng.random() < 0.7 else ["Speaker A", "Speaker B"]
    )
    show_ts = rng.random() < 0.4
    lines = []
    if rng.random() < 0.4:
        lines.append(
            f"Transcript | {ctx.start.strftime('%Y-%m-%d %H:%M')} | "
            f"{hms(turns[-1]['e'], hours=False)}"
        )
        lines.append("")
    for tr in turns:
        if tr["r"] == "S":
            if tr["k"] == "hold":
                lines.append(_hold_note(rng, tr["secs"]))
            elif tr["k"] == "noise":
                lines.append(rng.choice(["[inaudible]", "[crosstalk]", "[background noise]"]))
            continue
        if tr["r"] == "I":
            lines.append("[recorded message] " + raw_stt(tr["t"]))
            continue
        lbl = lab[tr["r"]] + ((f" ({hms(tr['s'], hours=False)})") if show_ts else "")
        lines.append(f"{lbl}: {raw_stt(tr['t'])}")
    return "\n".join(lines)


def style_stt_diarized(rng, ctx, q):
    """whisper + pyannote style segments, punctuated."""
    turns = build_call(rng, ctx, q)
    order = _speaker_labels(turns, ["SPEAKER_00", "SPEAKER_01"])
    lines = []
    ivr_label = "SPEAKER_02"
    for tr in turns:
        if tr["r"] == "S":
            if tr["k"] == "hold" and rng.random() < 0.6:
                lines.append(
                    f"[{hms(tr['s'], ms=True)} --> {hms(tr['s'] + tr['secs'], ms=True)}] [MUSIC]"
                )
            continue
        lbl = ivr_label if tr["r"] == "I" else order[tr["r"]]
        text = tr["t"]
        # whisper sometimes splits long turns into several segments
        segs = [text]
        if len(text.split()) > 18 and rng.random() < 0.6:
            parts = re.split(r"(?<=[.?!])\s+", text)
            if len(parts) > 1:
                k = rng.randint(1, len(parts) - 1)
                segs = [" ".join(parts[:k]), " ".join(parts[k:])]
        span = tr["e"] - tr["s"]
        s0 = tr["s"]
        for sg in segs:
            frac = len(sg.split()) / max(1, len(text.split()))
            e0 = s0 + span * frac
            lines.append(f"[{hms(s0, ms=True)} --> {hms(e0, ms=True)}] {lbl}: {sg}")
            s0 = e0
    return "\n".join(lines)


def style_stt_spk(rng, ctx, q):
    """cloud speech-to-text style: spk_0 / spk_1 labels, mostly lower case, sparse punctuation."""
    turns = build_call(rng, ctx, q)
    base = rng.choice([0, 1])
    lab = _speaker_labels(turns, [f"spk_{base}", f"spk_{base + 1}"])
    lowpunct = rng.random() < 0.6
    lines = []
    for tr in turns:
        if tr["r"] == "S":
            if tr["k"] == "hold":
                lines.append(
                    f"{hms(tr['s'], hours=False)} [hold {hms(tr['secs'], hours=False).zfill(5)}]"
                )
            continue
        if tr["r"] == "I":
            continue
        if lowpunct:
            text = raw_stt(tr["t"])
        else:
            text = tr["t"].replace("Um, ", "um ").replace("Uh, ", "uh ")
        lines.append(f"{hms(tr['s'], hours=False)} {lab[tr['r']]}: {text}")
    return "\n".join(lines)


def style_call_center(rng, ctx, q):
    turns = build_call(
        rng, ctx, q, mode=rng.choice(["agent", "agent", "sec_first", "ivr", "callback"])
    )
    agent_lbl = rng.choice([f"Agent {ctx.agent_id}", "Agent", f"Rep {ctx.agent_id}"])
    cust_lbl = rng.choice(["Caller", "Customer", "Caller"])
    lines = [
        f"Call ID: {ctx.start.strftime('%Y%m%d')}-{rng.randint(100000, 999999)}",
        f"Date: {ctx.start.strftime('%d/%m/%Y %H:%M')}   Queue: {ctx.team}   ANI: "
        f"{ctx.phone_local}",
        f"Duration: {hms(turns[-1]['e'])}",
        "",
    ]
    low = rng.random() < 0.5
    for tr in turns:
        if tr["r"] == "S":
            if tr["k"] == "hold":
                lines.append(f"[hold {hms(tr['secs'], hours=False).zfill(5)}]")
            elif tr["k"] == "noise":
                lines.append("[inaudible]")
            continue
        if tr["r"] == "I":
            lines.append("IVR: " + tr["t"])
            continue
        text = raw_stt(tr["t"]) if low else tr["t"]
        lines.append(f"{agent_lbl if tr['r'] == 'A' else cust_lbl}: {text}")
    return "\n".join(lines)


def style_telegram(rng, ctx, q):
    cust = rng.choice(
        [
            f"{ctx.cfirst} {ctx.clast}",
            ctx.cfirst,
            f"{ctx.cfirst.lower()} {ctx.clast.lower()}",
        ]
    )
    agent = rng.choice([ctx.afirst, f"{ctx.afirst} {ctx.alast}", f"{ctx.afirst} | {ctx.brand}"])
    turns = build_chat(
        rng, ctx, q, rng.choice(["cust_first", "agent_first"]), casual=True, split_p=0.3
    )
    lines = []
    for tr in turns:
        if tr["r"] in "SB":
            continue
        d = at(ctx, tr)
        who = cust if tr["r"] == "C" else agent
        lines.append(f"{who}, [{d.strftime('%d.%m.%y %H:%M')}]")
        lines.append(tr["t"])
        lines.append("")
    return "\n".join(lines).rstrip()


def style_sms(rng, ctx, q):
    turns = build_chat(
        rng,
        ctx,
        q,
        rng.choice(["cust_first", "cust_first", "agent_first"]),
        casual=True,
        name_known=False,
        split_p=0.35,
    )
    short = (
        f"+447700900{rng.randint(0, 999):03d}"
        if ctx.phone_uk
        else f"+1555{rng.randint(0, 9999999):07d}"
    )
    cust = re.sub(r"[^\d+]", "", ctx.phone)
    agent = rng.choice([ctx.afirst, f"{ctx.afirst} ({ctx.brand})", short])
    iso = rng.random() < 0.5
    lines = []
    if rng.random() < 0.5:
        lines.append(f"SMS conversation {cust} <-> {short}")
    for tr in turns:
        if tr["r"] in "SB":
            continue
        d = at(ctx, tr)
        ts = d.strftime("%Y-%m-%dT%H:%M:%SZ") if iso else d.strftime("%Y-%m-%d %H:%M:%S")
        who = cust if tr["r"] == "C" else agent
        text = tr["t"]
        if tr["r"] == "A":
            text = text.replace("\U0001f44b", "").replace("  ", " ")
        lines.append(f"{ts}  {who}: {text}")
    return "\n".join(lines)


def style_vtt(rng, ctx, q):
    """Video-banking appointment transcript (WEBVTT / meeting tool)."""
    turns = build_call(rng, ctx, q, mode=rng.choice(["agent", "sec_first", "cust_first"]))
    cust = f"{ctx.cfirst} {ctx.clast}"
    agent = rng.choice([f"{ctx.afirst} {ctx.alast}", ctx.afirst])
    lines = ["WEBVTT", ""]
    n = 0
    meeting = rng.random() < 0.4
    if meeting:
        lines = [
            f"{ctx.brand} video appointment - {ctx.start.strftime('%-d %B %Y, %H:%M')}",
            "",
        ]
    for tr in turns:
        if tr["r"] in "SI":
            continue
        who = cust if tr["r"] == "C" else agent
        text = (
            tr["t"]
            .replace("This call may be recorded", "This session may be recorded")
            .replace("this call may be recorded", "this session may be recorded")
            .replace("Calls are recorded", "Sessions are recorded")
            .replace("calls are recorded", "sessions are recorded")
            .replace("this call is being recorded", "this session is being recorded")
            .replace("Thank you for calling", "Thank you for joining")
            .replace("thanks for calling", "thanks for joining")
            .replace("Thanks for calling", "Thanks for joining")
        )
        if meeting:
            lines.append(f"{who}   {hms(tr['s'], hours=False)}")
            lines.append(text)
            lines.append("")
        else:
            n += 1
            lines.append(str(n))
            lines.append(f"{hms(tr['s'], ms=True)} --> {hms(tr['e'], ms=True)}")
            lines.append(f"<v {who}>{text}</v>")
            lines.append("")
    return "\n".join(lines).rstrip()


def style_messenger(rng, ctx, q):
    """Social inbox export (Facebook/Instagram DM via help desk).

    Date headers, no per-line labels for roles.
    """
    cust = rng.choice([f"{ctx.cfirst} {ctx.clast}", f"{ctx.cfirst.lower()}{rng.randint(1, 999)}"])
    agent = rng.choice([ctx.brand, ctx.afirst, f"{ctx.afirst} {ctx.alast}"])
    turns = build_chat(
        rng,
        ctx,
        q,
        rng.choice(["cust_first", "cust_first", "agent_first"]),
        casual=True,
        name_known=rng.random() < 0.5,
        split_p=0.3,
    )
    lines = [ctx.start.strftime("%A, %-d %B %Y"), ""]
    prev = None
    for tr in turns:
        if tr["r"] in "SB":
            continue
        who = cust if tr["r"] == "C" else agent
        d = at(ctx, tr)
        if who != prev:
            if prev is not None:
                lines.append("")
            lines.append(f"{who}  {h12(d, secs=False, pad=False)}")
            prev = who
        lines.append(tr["t"])
    return "\n".join(lines)


STYLES = [
    ("zendesk_chat", style_zendesk, 8),
    ("intercom", style_intercom, 7),
    ("livechat", style_livechat, 7),
    ("salesforce_liveagent", style_salesforce, 7),
    ("web_widget_bot_handoff", style_widget_bot, 7),
    ("whatsapp_ios", style_whatsapp_ios, 7),
    ("whatsapp_android", style_whatsapp_android, 7),
    ("stt_speaker_n", style_stt_speaker, 8),
    ("stt_diarized_whisper", style_stt_diarized, 7),
    ("stt_spk", style_stt_spk, 7),
    ("call_center_caller_agent", style_call_center, 7),
    ("telegram", style_telegram, 6),
    ("sms_log", style_sms, 6),
    ("video_vtt", style_vtt, 6),
    ("social_dm_inbox", style_messenger, 6),
]


def render(text, seed, idx):
    rng = random.Random(f"{seed}|{idx}")
    name, fn, _ = rng.choices(STYLES, weights=[w for _, _, w in STYLES])[0]
    ctx = Ctx(rng)
    return name, fn(rng, ctx, text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--in", dest="inp", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=9)
    a = ap.parse_args()
    counts = Counter()
    n = 0
    with open(a.inp, encoding="utf-8") as fi, open(a.out, "w", encoding="utf-8") as fo:
        for idx, line in enumerate(fi):
            if not line.strip():
                continue
            row = json.loads(line)
            orig = row["text"]
            style, tr = render(orig, a.seed, idx)
            out = dict(row)
            out["text"] = tr
            out["plain"] = orig
            fo.write(json.dumps(out, ensure_ascii=False) + "\n")
            counts[style] += 1
            n += 1
    print(f"wrote {n} rows to {a.out}", file=sys.stderr)
    for s, c in counts.most_common():
        print(f"  {s:<26} {c:5d}  {100.0 * c / max(1, n):5.1f}%", file=sys.stderr)


if __name__ == "__main__":
    main()
