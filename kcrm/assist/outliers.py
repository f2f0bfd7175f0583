"""Everyday questions no customer-service knowledge base answers: the far side of out of scope.

The calibrator's out-of-scope samples are the cases of held-out categories
(train.py): near-domain questions, which look like the known ones. A question
from another world altogether ("how do I descale a kettle") has neighbours that
are far, yet sometimes all of one category, or a phrase in common with one
("how do I change ..."), a combination no held-out case shows; these samples
show the calibrator what such questions look like (outlier exposure, Hendrycks
et al. 2019). These questions are asked in every fold as
out of scope. They were written for this and share no sentence with the
evaluation sets (notes.off_topic's templates, bench/data/).
"""

from __future__ import annotations

OUTLIERS: tuple[str, ...] = (
    # home and garden
    "how do I descale a kettle",
    "the boiler pressure keeps dropping, what should I check",
    "what's the best way to get mould off a bathroom ceiling",
    "how often should I mow the lawn in spring",
    "my fridge is making a buzzing noise",
    "how do I bleed a radiator",
    "can I paint over wallpaper",
    "which plants are safe for cats",
    "how deep should I plant tulip bulbs",
    "the smoke alarm keeps beeping every minute",
    "how do I fix a dripping tap",
    "what's the best way to clean an oven",
    # devices and internet
    "my phone battery drains really fast since the update",
    "how do I connect wireless headphones to my laptop",
    "the TV says no signal on HDMI 2",
    "how do I take a screenshot on a Mac",
    "my email keeps going to spam",
    "how can I speed up an old computer",
    "the Bluetooth speaker won't pair",
    "how do I back up photos from my phone",
    "which smartwatch has the longest battery life",
    "my game console keeps freezing",
    # cars and transport
    "the check engine light came on this morning",
    "how often should I change the oil in my car",
    "what time is the last train to Brighton",
    "is there a strike on the buses tomorrow",
    "where can I charge an electric car near here",
    "how do I renew my driving licence",
    "the windscreen wipers leave streaks",
    "how much air should be in my bike tyres",
    # food and drink
    "can I freeze cooked rice",
    "what wine goes with salmon",
    "how do I make sourdough starter",
    "is it safe to eat eggs past the best before date",
    "give me a recipe for vegetable soup",
    "how long does chicken take to roast",
    "what can I cook with chickpeas and spinach",
    "how do I make cold brew coffee",
    # health and fitness
    "what helps with a sore throat",
    "how many steps a day should I walk",
    "is it better to stretch before or after running",
    "how do I book a doctor's appointment",
    "what are the symptoms of hay fever",
    "how much water should I drink a day",
    "can I take ibuprofen with paracetamol",
    "what's a good beginner yoga routine",
    # travel and places
    "what's the best time of year to visit Iceland",
    "how do I get from the airport to the city centre",
    "can I take a hairdryer in hand luggage",
    "which beaches in Portugal are good for surfing",
    "what currency do they use in Vietnam",
    "how early should I arrive for an international flight",
    "is the museum open on bank holidays",
    "what's the time difference with Sydney",
    # entertainment and culture
    "who sings that song from the car advert",
    "when does the new season of the show come out",
    "recommend a podcast about history",
    "what's the plot of the latest Bond film",
    "how many books are in the Harry Potter series",
    "where can I watch the match tonight",
    "suggest a board game for six people",
    "who painted the Mona Lisa",
    # work, study and admin
    "how do I write a cover letter",
    "what's the deadline for university applications",
    "how do I renew my passport",
    "can you help me with my maths homework",
    "how do I register to vote",
    "what should I wear to a job interview",
    "how many days of annual leave am I entitled to",
    "how do I cite a website in an essay",
    # shopping and other services
    "is the shoe shop on the high street still open",
    "do you have this jacket in a medium",
    "when is my parcel from the furniture store arriving",
    "how do I cancel my streaming subscription",
    "my mobile contract is up, which deal should I take",
    "the electricity meter reading looks wrong",
    "how do I switch energy supplier",
    "can I return shoes I've worn once",
    # pets, people and everything else
    "how often should I feed a puppy",
    "my cat keeps scratching the sofa",
    "what's a nice gift for a retirement party",
    "how do I teach my kid to ride a bike",
    "what's the tallest mountain in Africa",
    "how far is Mars from Earth",
    "why is the sky blue",
    "what year did the Berlin wall fall",
    "spell necessary for me",
    "what rhymes with orange",
    "tell me something interesting",
    "good morning, how are you today",
    "can you sing me a song",
    "what's your favourite colour",
    "asdfgh qwerty",
    "hello?",
)
