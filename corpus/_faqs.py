# ruff: noqa: E501  (long written text)
"""Help-centre FAQs for Kestrel Bank (written for kcrm, fictional bank).

House facts used everywhere in the corpus (keep FAQs, articles and case
resolutions consistent with these):

- Plans: Standard (free), Plus (GBP 3.99/month), Premium (GBP 7.99/month),
  Metal (GBP 14.99/month).
- Fee-free exchange per month: Standard GBP 1,000, Plus GBP 3,000, Premium and
  Metal unlimited; 0.5% fair usage fee above it; 1% weekend markup from Friday
  22:00 to Sunday 22:00 UK time on every plan.
- Fee-free ATM withdrawals per month: Standard GBP 200, Plus GBP 400, Premium
  GBP 600, Metal GBP 800; then 2% (minimum GBP 1). ATM limit GBP 500 per 24 hours.
- Card delivery: free standard delivery 3-5 working days UK, up to 10 working days
  elsewhere; express GBP 4.99 (1-2 working days, UK, tracked; free on Premium and
  Metal). Report non-arrival after 7 working days (UK) or 15 (elsewhere).
- Replacement card GBP 5 (free on Premium/Metal, and always free for compromised,
  stolen, swallowed, faulty or expiring cards); spare card GBP 5; Metal card GBP 49
  (included with the Metal plan).
- Top-ups: debit card UK/EEA free; credit cards and cards issued outside UK/EEA
  1%; bank transfer free; card top-up GBP 10-5,000 each, GBP 10,000 per 24 hours,
  GBP 30,000 per rolling 30 days. Cash at the Post Office GBP 1.50 per deposit
  (up to GBP 1,000 per deposit, GBP 3,000 per 30 days); cheques by photo in the
  app up to GBP 1,000 each, cleared by 23:59 the next working day.
- Transfers: UK Faster Payments free, usually seconds, up to 2 hours; SEPA free,
  SEPA Instant seconds or 1 working day; international GBP 1.50 + exchange rules,
  1-3 working days (major currencies), up to 5. Send limit GBP 25,000 per day.
- Contactless up to GBP 100 per payment in the UK. Disposable virtual cards on
  Plus, Premium and Metal: up to 5 a day, one payment each, up to GBP 3,000.
- Support: in-app chat 24/7; +44 20 7946 0000 (24/7 for lost/stolen cards and
  fraud, otherwise 08:00-20:00); support@kestrelbank.example; Help Points in
  London, Manchester, Edinburgh and Dublin (Mon-Sat 09:00-18:00).
"""

from __future__ import annotations


def _t(text: str) -> str:
    """Collapse the wrapping whitespace of a triple-quoted paragraph."""
    return " ".join(text.split())


# (intent, title, body, tags); the id is "faq-" + slug(intent)
FAQS_EN: list[tuple[str, str, str, list[str]]] = [
    ("card_arrival", "My card hasn't arrived yet. What should I do?", _t("""
Standard delivery of a Kestrel card takes 3-5 working days in the UK and up to 10
working days to other countries we serve, counted from the day the card shows as
Dispatched in the Cards tab. Express delivery (UK only) takes 1-2 working days and
comes with a Royal Mail tracking number in the app; standard delivery can't be tracked.
If your card still hasn't arrived after 7 working days in the UK, or 15 working days
elsewhere, open Cards, tap the card and choose "My card hasn't arrived": we'll cancel
it and send a free replacement. Before you reorder, check that your address under
Profile > Personal details is complete, including any flat number."""),
     ["cards", "delivery"]),

    ("card_linking", "How do I add a card I've received or found to the app?", _t("""
If you've received a Kestrel card that isn't in your app yet, open Cards, tap + and
choose "Link a physical card", then scan or type the 6-digit code on the letter that
came with it. If you froze a card because you thought it was lost and have now found
it, simply unfreeze it in Cards: it works again straight away. A card that you reported
as lost or stolen has been cancelled for good and can't be linked again, so please cut
it up and use the replacement we sent you."""),
     ["cards", "app"]),

    ("exchange_rate", "What exchange rate does Kestrel use?", _t("""
From Monday to Friday we use the live interbank exchange rate, with no markup, for
exchanges in the app and for card payments and withdrawals in other currencies. Each
plan includes a monthly fee-free exchange allowance (Standard GBP 1,000, Plus GBP
3,000, Premium and Metal unlimited); above it a 0.5% fair usage fee applies. Between
Friday 22:00 and Sunday 22:00 UK time currency markets are closed, so we add a 1%
weekend markup on every plan. You always see the exact rate and any fee before you
confirm an exchange."""),
     ["exchange", "fees"]),

    ("card_payment_wrong_exchange_rate", "Why does a card payment show a different exchange rate than I expected?", _t("""
We convert foreign currency card payments at our rate at the moment the payment is
authorised: the live interbank rate on weekdays, or with the 1% weekend markup between
Friday 22:00 and Sunday 22:00 UK time. If the shop or terminal offered to charge you in
pounds instead of the local currency, the merchant chose the rate (this is called
dynamic currency conversion) and it is usually much worse, so always choose to pay in
the local currency. A payment can also change slightly if the merchant settles it for a
different amount than it authorised. If none of this explains the difference, send us
the transaction from the app via "Report an issue" and we'll check it."""),
     ["exchange", "card payments"]),

    ("extra_charge_on_statement", "There's a charge on my statement I don't recognise as a fee. What is it?", _t("""
Tap the transaction in the app to see what it is: Kestrel fees are always labelled
with the reason, for example "Weekend exchange markup", "Fair usage fee", "ATM fee",
"Plan fee" or "Card delivery". A small charge of GBP 1 or less from a merchant is often a
temporary authorisation check (used by hotels, fuel stations and online shops to test a
card) and disappears within 7 days. If you still can't identify the charge, tap
"I don't recognise this" on the transaction and we'll look into it."""),
     ["fees", "statement"]),

    ("pending_cash_withdrawal", "Why is my cash withdrawal still pending?", _t("""
ATM withdrawals show as Pending until the ATM operator confirms them, which usually takes
1-3 working days; the money is already set aside from your balance. If the ATM didn't
give you any cash, the pending withdrawal is normally cancelled automatically and the
money released within 7 days. If it is still pending after 7 days, or it completes even
though you received no cash, report it from the transaction in the app and we'll raise
it with the ATM operator."""),
     ["atm", "cash", "pending"]),

    ("fiat_currency_support", "Which currencies can I hold and exchange?", _t("""
You can hold and exchange 32 currencies in the app, including GBP, EUR, USD, CHF,
JPY, AUD, CAD, NZD, SGD, HKD, SEK, NOK, DKK, PLN, CZK, HUF, RON, BGN, ILS, AED, ZAR,
MXN, TRY and THB. Open Home > Exchange to see the full list and the live rate for each
pair. You can spend in more than 150 currencies with your card: if you don't hold the
currency, we convert from your main balance at the time of payment."""),
     ["currencies", "exchange"]),

    ("card_delivery_estimate", "How long does card delivery take?", _t("""
We send cards from our card partner within 1 working day of ordering. Standard delivery
is free and takes 3-5 working days in the UK and up to 10 working days to other
countries we serve. Express delivery costs GBP 4.99 (free on Premium and Metal),
is available for UK addresses only, takes 1-2 working days and can be tracked in the
app. While you wait you can create a free virtual card in the Cards tab and use it
straight away online and with Apple Pay or Google Pay."""),
     ["cards", "delivery"]),

    ("automatic_top_up", "How do I set up automatic top-ups?", _t("""
Go to Home > Add money > Auto top-up, choose a saved debit card, the balance that
triggers a top-up (between GBP 10 and GBP 1,000) and how much to add each time (between
GBP 20 and GBP 2,500). Whenever a payment takes your balance below the trigger, we top
you up automatically. Auto top-ups follow the same fees and limits as other card
top-ups, and you can change or switch them off at any time. Auto top-up works on
balance, not on a schedule; for a fixed monthly amount, set up a standing order from
your other bank instead."""),
     ["top-up", "automation"]),

    ("card_not_working", "My card isn't working. What can I check?", _t("""
First open Cards and check that the card isn't frozen and that the relevant security
settings are on: online payments, contactless, ATM withdrawals, magnetic stripe and
location-based security. Check you have enough balance, and that the card hasn't
expired or been replaced by a newer one. A new card needs one chip-and-PIN payment
before contactless works. If everything looks right and the card still fails in several
shops, it may be damaged: order a free replacement under Cards > Card is damaged."""),
     ["cards", "troubleshooting"]),

    ("exchange_via_app", "How do I exchange money in the app?", _t("""
Open Home > Exchange, choose the currency you want to sell and the one you want to buy,
enter the amount and confirm; the money moves between your currency balances instantly.
You can also set a target rate with an auto-exchange order, which runs as soon as the
market reaches your rate. Exchanges use the live interbank rate on weekdays within your
plan's fee-free allowance, and a 1% markup at weekends."""),
     ["exchange", "app"]),

    ("lost_or_stolen_card", "I've lost my card or it was stolen. What should I do?", _t("""
Freeze the card straight away in Cards > Freeze; if you find it, you can unfreeze it.
If you're sure it's gone, choose Cards > Report lost or stolen: we cancel the card
permanently and you can order a replacement in the same step (GBP 5, free on Premium
and Metal and free if the card was stolen). Your virtual cards and Apple Pay or Google
Pay keep working with their own details. If you see payments you didn't make, tap
"I don't recognise this" on each one, or call us 24/7 on +44 20 7946 0000."""),
     ["cards", "security", "lost card"]),

    ("age_limit", "How old do I need to be to have a Kestrel account? Can my children have one?", _t("""
You must be 18 or over to open a Kestrel account. Children aged 7 to 17 can have a
Kestrel Junior account with their own card, opened and managed by a parent or guardian
who has a Kestrel account. To open one, go to Profile > Family > Add a child; the
Junior account is free, and you control top-ups, spending limits and notifications."""),
     ["account", "junior"]),

    ("pin_blocked", "My PIN is blocked. How do I unblock it?", _t("""
Your PIN is blocked after 3 wrong attempts in a row. To unblock it, open Cards >
Security > Unblock PIN and confirm with your passcode or biometrics; you can check your
PIN under Cards > Show PIN first. After unblocking, your next payment in a shop must be
chip and PIN, or use the card at an ATM. If you'd like a new PIN, you can change it at
any UK ATM that offers PIN services."""),
     ["pin", "cards", "security"]),

    ("contactless_not_working", "Why isn't contactless working?", _t("""
A new card must be used once with chip and PIN before contactless is switched on, and
for security terminals sometimes ask for your PIN again after several contactless
payments in a row. Check that contactless is enabled under Cards > Security. The UK
contactless limit is GBP 100 per payment, and other countries set their own limits. If
contactless still fails while chip and PIN works, the card's antenna may be damaged:
order a free replacement under Cards > Card is damaged."""),
     ["contactless", "cards"]),

    ("top_up_by_bank_transfer_charge", "Is there a fee for adding money by bank transfer?", _t("""
No. We don't charge for money you send to your Kestrel account by bank transfer,
whether it's a UK Faster Payment, a SEPA transfer in euros or an international SWIFT
transfer. Your sending bank may charge its own fee, and for SWIFT transfers intermediary
banks can deduct a charge on the way, so the amount received can be slightly lower than
the amount sent. You'll find your account details under Home > Account details."""),
     ["top-up", "fees", "bank transfer"]),

    ("pending_top_up", "Why is my top-up still pending?", _t("""
Card top-ups are usually instant, but some card issuers take up to 30 minutes to
confirm, and your first top-up with a new card can be held for extra security checks
for up to 2 hours. Bank transfer top-ups arrive within 2 hours by Faster Payments, by the
next working day by SEPA, and in 1-5 working days by SWIFT. If a card top-up is still
pending after 2 hours, don't try again with the same card; contact us in chat and we'll
check it."""),
     ["top-up", "pending"]),

    ("cancel_transfer", "Can I cancel a transfer?", _t("""
Scheduled and future-dated transfers can be cancelled under Payments > Scheduled until
23:59 the day before they are due. UK Faster Payments and SEPA Instant transfers are
sent within seconds and can't be cancelled once confirmed. International transfers can
be cancelled in the app while their status is Pending. If you sent money to the wrong
person, tell us in chat straight away: we'll ask the receiving bank to return it, but
we can't guarantee the recovery."""),
     ["transfers", "cancel"]),

    ("top_up_limits", "What are the top-up limits?", _t("""
Each card top-up can be between GBP 10 and GBP 5,000, and you can top up by card up to
GBP 10,000 in any 24 hours and GBP 30,000 in any rolling 30 days. Bank transfers into
your account have no Kestrel limit, though your sending bank may set its own. Cash
deposits at the Post Office are limited to GBP 1,000 per deposit and GBP 3,000 per 30
days. If you need a higher card limit, contact us and we may ask you to verify your
source of funds."""),
     ["top-up", "limits"]),

    ("wrong_amount_of_cash_received", "The ATM gave me less cash than I asked for. What do I do?", _t("""
Tap the withdrawal in the app and choose "Report an issue" > "Wrong amount of cash",
telling us the amount you received; please do this within 60 days. We raise a claim
with the ATM operator, who checks the machine's cash balance. Most claims are settled
within 10 working days, but some operators take up to 45 days; we'll refund the missing
amount as soon as the claim is confirmed."""),
     ["atm", "cash", "disputes"]),

    ("card_payment_fee_charged", "Why was I charged a fee for a card payment?", _t("""
Kestrel never charges for card payments in pounds, or for payments in other currencies
on weekdays within your plan's fee-free exchange allowance. A fee on a card payment is
usually the 1% weekend markup (Friday 22:00 to Sunday 22:00 UK time), the 0.5% fair usage
fee once you've used your allowance, or a surcharge added by the merchant itself.
Payments to casinos, money transfer services or for buying cryptoassets elsewhere count
as cash withdrawals and use your ATM allowance. Tap the fee in the app to see exactly
why it was charged."""),
     ["fees", "card payments"]),

    ("transfer_not_received_by_recipient", "My recipient hasn't received my transfer. What should I do?", _t("""
UK Faster Payments usually arrive within seconds and always within 2 hours, SEPA
transfers within 1 working day, and international transfers in 1-3 working days for
major currencies (up to 5 for others). If the status in the app is Completed, the money
has left Kestrel: share the payment receipt (tap the transfer > Share receipt) with your
recipient so their bank can trace it. If the expected time has passed, contact us in
chat and we'll trace the payment with the receiving bank."""),
     ["transfers", "tracing"]),

    ("supported_cards_and_currencies", "Which cards can I use to top up, and in which currencies?", _t("""
You can top up with Visa and Mastercard debit or credit cards in your own name. We
don't accept American Express, prepaid cards or cards in someone else's name. Top-ups
are accepted in GBP, EUR, USD, CHF, PLN, SEK, NOK, DKK and CZK; debit cards issued in
the UK or EEA are free, while credit cards and cards issued elsewhere carry a 1% fee."""),
     ["top-up", "cards", "currencies"]),

    ("getting_virtual_card", "How do I get a virtual card?", _t("""
Open Cards, tap + and choose "Virtual card": it's free, created instantly and ready for
online payments and for Apple Pay or Google Pay. You can have up to 5 virtual cards at
once and freeze, delete or set a spending limit on each one. Virtual cards can't be
used at ATMs or in shops that need a physical card. Nothing is posted to you, so if
you are waiting for a virtual card to arrive, check the Cards tab."""),
     ["virtual card", "cards"]),

    ("card_acceptance", "Where can I use my Kestrel card?", _t("""
Your Kestrel Visa debit card works wherever Visa is accepted, in more than 150
countries, in shops, online and at ATMs. A few merchants, such as some automated
fuel pumps, toll roads and car rental companies, don't accept debit cards or hold a
large deposit first. Kestrel cards can't be used for payments to unlicensed gambling
sites or to merchants in sanctioned countries."""),
     ["cards", "acceptance"]),

    ("top_up_reverted", "Why was my top-up reverted?", _t("""
A top-up is reverted when your card issuer declines or cancels it after it first looked
successful, or when it didn't pass our security checks, for example because the card
isn't in your name. The money never leaves your card permanently: it goes back to it,
usually within 3-7 working days depending on your card issuer. You'll see the reason in
the app; please don't retry the same top-up until the first one has been returned."""),
     ["top-up", "reverted"]),

    ("balance_not_updated_after_cheque_or_cash_deposit", "I paid in a cheque or cash but my balance hasn't changed.", _t("""
Cheques photographed in the app (Payments > Pay in a cheque) clear by 23:59 the next
working day, and the money then shows in your balance; cheques paid in at weekends or
on bank holidays start clearing the next working day. Cash paid in at a Post Office
counter usually arrives within 15 minutes, but can take up to 2 working days. If the
deadline has passed, contact us in chat with the Post Office receipt or a photo of the
cheque."""),
     ["cheque", "cash", "deposit"]),

    ("card_payment_not_recognised", "I don't recognise a card payment.", _t("""
Tap the payment to see the merchant's details: many businesses appear under a parent
company name or the name of their payment provider. If you still don't recognise it,
freeze your card in Cards and tap "I don't recognise this" on the payment. We'll cancel
the card, send you a free replacement and investigate; confirmed unauthorised payments
are refunded, usually by the end of the next working day."""),
     ["disputes", "fraud", "card payments"]),

    ("edit_personal_details", "How do I change my address, phone number or other details?", _t("""
You can change your address, email and phone number yourself under Profile > Personal
details; we'll send a code to confirm a new email or phone number. To change your legal
name, upload a document showing the new name (for example a marriage certificate or
deed poll) in the same screen and we'll update it within 2 working days. If you move to
another country, check that we support it first, as some services depend on where you
live."""),
     ["account", "profile"]),

    ("why_verify_identity", "Why do I need to verify my identity?", _t("""
As a regulated bank we must confirm who our customers are under the UK Money Laundering
Regulations, and it protects you from someone opening an account in your name. Until
your identity is verified you can't add money, make payments or order a card. Most
verifications are completed within 10 minutes, and we keep your documents securely and
only for as long as the law requires."""),
     ["identity", "verification"]),

    ("unable_to_verify_identity", "I can't verify my identity. What can I do?", _t("""
Make sure you use the original document (not a photocopy or screenshot), that it's in
date and that all four corners are visible without glare. The name on the document must
match the name on your profile, and your selfie video should be in good light without a
hat or sunglasses. If verification fails 3 times, contact us in chat: we'll move your
application to manual review, which usually takes up to 24 hours."""),
     ["identity", "verification"]),

    ("get_physical_card", "Where do I find the PIN for my card?", _t("""
We don't send your PIN by post. Once your card is activated you can see the PIN at any
time in the app under Cards > Show PIN, after confirming with your passcode or
biometrics. If you'd like a PIN that's easier to remember, you can change it at any UK
ATM that offers PIN services. Never share your PIN with anyone, including Kestrel staff."""),
     ["pin", "cards"]),

    ("visa_or_mastercard", "Is my card Visa or Mastercard?", _t("""
All Kestrel personal cards, including the Standard card, the Metal card and virtual
cards, are Visa debit cards. Kestrel Business cards are Mastercard debit cards. You can't
choose the network for a personal card, but Visa is accepted in more than 150 countries
and at almost every merchant that accepts Mastercard."""),
     ["cards", "visa"]),

    ("topping_up_by_card", "How do I top up with a card?", _t("""
Go to Home > Add money > Card, enter the card details the first time (card number,
expiry date and security code) and confirm with your card issuer's 3-D Secure check.
Top-ups with a debit card issued in the UK or EEA are free and usually arrive
instantly. If the money appeared and then disappeared, the top-up was reverted by your
card issuer and the money will go back to your card within 3-7 working days."""),
     ["top-up", "cards"]),

    ("disposable_card_limits", "What are the limits on disposable virtual cards?", _t("""
Disposable virtual cards are included with the Plus, Premium and Metal plans. You can
create up to 5 disposable cards a day, each one works for a single payment of up to
GBP 3,000, and then its details are replaced automatically. They can't be used for
subscriptions, ATM withdrawals, or hotel and car-hire deposits; refunds to a disposable
card are paid into your balance."""),
     ["virtual card", "disposable", "limits"]),

    ("compromised_card", "I think my card details have been compromised.", _t("""
Freeze the card in Cards immediately, then choose Cards > Report compromised: we cancel
the card and send a free replacement with new details. Tap "I don't recognise this" on
any payment you didn't make so we can investigate and refund it. Update your card
details with subscriptions and online shops once the new card arrives; until then you
can use a virtual card, which has different details."""),
     ["cards", "fraud", "security"]),

    ("atm_support", "Which ATMs can I use?", _t("""
You can withdraw cash at any ATM that shows the Visa or Plus logo, in the UK and abroad.
Each plan includes free withdrawals each month (Standard GBP 200, Plus GBP 400, Premium
GBP 600, Metal GBP 800); after that we charge 2% with a minimum of GBP 1. Some ATM
operators add their own fee, which the ATM must show before you confirm. The ATM limit
is GBP 500 per 24 hours."""),
     ["atm", "cash"]),

    ("direct_debit_payment_not_recognised", "There's a Direct Debit I don't recognise.", _t("""
Tap the Direct Debit in the app to see the company that collected it and the reference;
it may be a company you know under a different name. If you didn't authorise it, choose
"Claim a refund" on the payment: under the Direct Debit Guarantee we refund the full
amount immediately and cancel the mandate. You can see and cancel all your mandates
under Payments > Direct Debits."""),
     ["direct debit", "disputes"]),

    ("passcode_forgotten", "I forgot my app passcode.", _t("""
On the login screen tap "Forgot passcode", enter the code we send to your phone number
and record a short selfie video so we can confirm it's you; you can then set a new
6-digit passcode. If you no longer have access to your phone number, contact us in chat
from our website or call +44 20 7946 0000. Kestrel staff will never ask you to tell them
your passcode."""),
     ["app", "security", "passcode"]),

    ("declined_cash_withdrawal", "Why was my cash withdrawal declined?", _t("""
Common reasons are: a wrong PIN, a frozen card, ATM withdrawals switched off in Cards
> Security, not enough balance, or reaching the limit of GBP 500 per 24 hours. Some ATMs
set a lower limit per withdrawal, so try a smaller amount or a different machine. If
your PIN is blocked after 3 wrong attempts, unblock it in Cards > Security."""),
     ["atm", "declined"]),

    ("pending_card_payment", "Why is my card payment still pending?", _t("""
A payment shows as Pending while the merchant has authorised it but not yet collected
the money; most complete within 1-3 working days. If the merchant never collects it,
the money is released automatically after 7 days, or up to 31 days for hotels and car
rental. You can't cancel a pending payment yourself: if you cancelled an order, ask the
merchant to release the authorisation."""),
     ["card payments", "pending"]),

    ("lost_or_stolen_phone", "My phone was lost or stolen. How do I protect my account?", _t("""
Your app is protected by your passcode or biometrics, but act quickly: log in to
Kestrel web banking on another device, or call us 24/7 on +44 20 7946 0000, and we'll
freeze your cards and sign out the lost device. Ask your mobile provider to block your
SIM. When you have a new phone, install the app, log in with your phone number and
passcode and confirm your identity with a selfie video; Apple Pay and Google Pay cards
on the lost phone are removed automatically."""),
     ["security", "phone", "app"]),

    ("request_refund", "How do I get a refund for something I bought?", _t("""
Refunds for purchases come from the merchant, so contact them first; once they issue a
refund it usually reaches your account within 5 working days. If the merchant won't
help, for example because goods never arrived, were faulty or not as described, you can
raise a dispute on the payment in the app within 120 days. We then ask the merchant's
bank to return the money through Visa's chargeback process, which can take up to 90
days."""),
     ["refunds", "disputes"]),

    ("declined_transfer", "Why was my transfer declined?", _t("""
The app shows the reason under the transfer. The most common ones are not enough
balance in the currency you're sending, reaching the limit of GBP 25,000 per day, or a
security check on an unusual payment. If we need more information, you'll receive a
chat message with questions; once you reply, most checks are finished within a few
hours and you can send the transfer again."""),
     ["transfers", "declined"]),

    ("Refund_not_showing_up", "A merchant refunded me but I can't see the refund.", _t("""
Merchants usually take up to 5 working days to send a refund, and some take up to 15.
The refund appears as a new transaction rather than removing the original payment.
Ask the merchant for the refund's Acquirer Reference Number (ARN); if 15 working days
have passed since the refund date, send us the ARN in chat and we'll trace it."""),
     ["refunds"]),

    ("declined_card_payment", "Why was my card payment declined?", _t("""
The app shows a reason under declined payments in most cases. Check that you have
enough balance, that the card isn't frozen, and that online, contactless, magnetic
stripe or location-based payments aren't switched off in Cards > Security. If the
reason is a security check, reply to our chat message to confirm the payment and try
again. Some merchants, such as certain fuel pumps and toll roads, don't accept debit
cards."""),
     ["card payments", "declined"]),

    ("pending_transfer", "Why is my transfer still pending?", _t("""
A transfer is Pending while we run our checks or wait for the payment system to accept
it. UK Faster Payments usually leave within seconds, but the first payment to a new
recipient can be held for up to 24 hours. SEPA transfers take up to 1 working day and
international transfers 1-3 working days (up to 5 for some currencies); transfers made at
weekends or on bank holidays start the next working day. If we need more information
from you, we'll ask in chat."""),
     ["transfers", "pending"]),

    ("terminate_account", "How do I close my account?", _t("""
First move your money out of every currency balance, savings vault and investment, and
cancel any paid plan or insurance. Then go to Profile > Close account and follow the
steps; the account is closed immediately and your cards stop working. A paid plan stops
at the end of the current billing month without further charges. We keep your records
for 5 years after closing because the law requires it."""),
     ["account", "closing"]),

    ("card_swallowed", "An ATM kept my card. What should I do?", _t("""
Freeze the card in Cards straight away. ATMs destroy retained cards for security
reasons, so we can't get it back: choose Cards > Report lost or stolen > Retained by ATM
to cancel it and order a free replacement. If the ATM didn't give you cash either, report
the withdrawal in the app too."""),
     ["cards", "atm"]),

    ("transaction_charged_twice", "I've been charged twice for the same payment.", _t("""
Often the second charge is a pending authorisation that the merchant hasn't cancelled;
it disappears within 7 days, or up to 31 days for hotels and car rental. If both charges
are Completed, ask the merchant to refund one of them. If they don't, open the payment
in the app and choose "Report an issue" > "Charged twice", and we'll dispute it for you."""),
     ["disputes", "card payments"]),

    ("verify_source_of_funds", "Why are you asking me to verify my source of funds?", _t("""
Like all banks, we must understand where the money in your account comes from,
especially for large or unusual payments. Upload documents under Profile > Documents:
for example your last 3 payslips, bank statements for the last 3 months, a sale contract
or an inheritance letter. We usually review them within 2 working days. Please reply
within 14 days, otherwise we may have to restrict your account until the check is
complete."""),
     ["verification", "source of funds"]),

    ("transfer_timing", "How long do transfers take?", _t("""
UK transfers in pounds use Faster Payments and usually arrive within seconds, always
within 2 hours. Euro transfers to SEPA countries arrive within seconds by SEPA Instant
where the receiving bank supports it, otherwise within 1 working day. International
transfers take 1-3 working days for major currencies and up to 5 working days for others.
Incoming transfers follow the same timings, depending on the sending bank."""),
     ["transfers", "timing"]),

    ("reverted_card_payment?", "A card payment was reverted. What does that mean?", _t("""
A reverted payment means the merchant cancelled the authorisation instead of collecting
the money, so the amount is back in your balance straight away. This often happens
when an order is cancelled or an online shop retries a payment. If the merchant still
says it hasn't been paid, pay again or ask them to retry; if the money is later taken
after all, it will appear as a new transaction."""),
     ["card payments", "reverted"]),

    ("change_pin", "How do I change my PIN?", _t("""
You can change your PIN at any UK ATM that offers PIN services (most LINK ATMs do):
insert your card, enter your current PIN and choose "PIN services". You don't need to
visit a Help Point. ATMs in some other countries offer PIN change too. You can always
look up your current PIN in Cards > Show PIN."""),
     ["pin", "cards"]),

    ("beneficiary_not_allowed", "Why can't I send money to this recipient?", _t("""
We can't send money to some accounts: for example to countries under sanctions, to
banks that don't accept payments from abroad, or where the recipient's details fail our
checks. For UK payments, the Confirmation of Payee check may show that the name doesn't
match the account; check the name with your recipient before continuing. If you believe
the payment should be allowed, contact us in chat with the recipient's details."""),
     ["transfers", "beneficiary"]),

    ("transfer_fee_charged", "Why was I charged a fee for a transfer?", _t("""
Transfers in pounds within the UK and in euros by SEPA are free. International transfers
cost GBP 1.50 plus our normal exchange rules (weekend markup and fair usage fee), and the
fee is shown before you confirm; the Metal plan and the International Transfer Bundle
waive the GBP 1.50. For SWIFT transfers, intermediary banks may deduct their own fee,
which is why a recipient can receive slightly less than you sent."""),
     ["transfers", "fees"]),

    ("receiving_money", "How can someone send me money?", _t("""
Share your account details from Home > Account details: your sort code and account
number for pounds, or your IBAN and BIC for euros and international transfers. Other
Kestrel customers can also pay you instantly by phone number. We don't charge for money
you receive, and you can receive salaries and payments in other currencies, which land
in a balance of that currency."""),
     ["transfers", "receiving"]),

    ("failed_transfer", "My transfer failed. What happens now?", _t("""
If a transfer fails or the receiving bank returns it, the money goes back to your Kestrel
balance automatically, usually within 2 working days for UK and SEPA transfers and up to
10 working days for international transfers. Any transfer fee is refunded; if the money
was converted, it's converted back at the rate on the day it returns. Check the
recipient's details and try again, or ask us in chat for the return reason."""),
     ["transfers", "failed"]),

    ("transfer_into_account", "How do I transfer money into my Kestrel account?", _t("""
From your other bank, send money to your Kestrel sort code and account number (pounds)
or your IBAN (euros and other currencies), which you'll find under Home > Account
details. Transfers from UK banks arrive within 2 hours, usually instantly. Adding money
by bank transfer is free and has no Kestrel limit."""),
     ["top-up", "bank transfer"]),

    ("verify_top_up", "Why do I need to verify my top-up card, and where is the code?", _t("""
To protect you from someone using a stolen card, we sometimes ask you to confirm that a
top-up card is yours. We charge a small amount between GBP 0.01 and GBP 2.00 to the card;
the payment description in your card issuer's app or statement reads KESTREL* followed
by a 4-digit code. Enter that code in Home > Add money > Verify card within 3 days, and
we refund the small charge."""),
     ["top-up", "verification"]),

    ("getting_spare_card", "Can I order an additional card?", _t("""
Yes, you can order a spare physical card linked to your account under Cards > + >
Spare card. A spare card costs GBP 5 on Standard and Plus and is free on Premium and
Metal, with the same delivery times as your first card. You can have up to 3 physical
cards at once. A spare card is for your own use; to give a card to a child aged 7-17,
open a free Kestrel Junior account instead."""),
     ["cards", "spare card"]),

    ("top_up_by_cash_or_cheque", "Can I add money with cash or a cheque?", _t("""
Yes. Pay in cash at any Post Office counter with your Kestrel card: each deposit costs
GBP 1.50, up to GBP 1,000 per deposit and GBP 3,000 per 30 days. Pay in sterling cheques
payable to you by taking a photo in Payments > Pay in a cheque, up to GBP 1,000 per
cheque; the money is available by 23:59 the next working day."""),
     ["top-up", "cash", "cheque"]),

    ("order_physical_card", "How do I order a physical card and what does it cost?", _t("""
Order a card in the Cards tab under + > Physical card. Your first Standard Visa debit
card and standard delivery are free; express delivery costs GBP 4.99 (free on Premium
and Metal). You can also choose the Kestrel Metal card for GBP 49, included with the
Metal plan. We deliver to your address in the UK or any other country we serve."""),
     ["cards", "ordering"]),

    ("virtual_card_not_working", "My virtual card was declined. Why?", _t("""
Check that the virtual card isn't frozen, deleted or over its own spending limit, and
that online payments are switched on for it in Cards > Security. A disposable virtual
card works for one payment only, and neither kind can be used for hotel or car-hire
deposits, ATM withdrawals or some subscription services. If the details were entered
correctly and it still fails, try creating a new virtual card."""),
     ["virtual card", "troubleshooting"]),

    ("wrong_exchange_rate_for_cash_withdrawal", "Why did I get a bad exchange rate at an ATM abroad?", _t("""
When an ATM abroad offers to convert the withdrawal for you ("Accept conversion?"),
always decline: the ATM operator's rate is usually far worse than ours. With Kestrel
conversion you get the interbank rate on weekdays, with the 1% weekend markup between
Friday 22:00 and Sunday 22:00 UK time. The ATM operator may also add its own fee, and
our 2% ATM fee applies once you've used your plan's free withdrawals."""),
     ["atm", "exchange"]),

    ("get_disposable_virtual_card", "How do I get a disposable virtual card?", _t("""
Disposable virtual cards are included with the Plus, Premium and Metal plans. Open
Cards, tap + and choose "Disposable card". After each payment its card number, expiry
date and security code change automatically, which makes it ideal for one-off online
shopping on sites you don't know. You can create up to 5 a day."""),
     ["virtual card", "disposable"]),

    ("top_up_failed", "Why did my top-up fail?", _t("""
A top-up can fail if your card issuer declines it, if the 3-D Secure check wasn't
completed, if the card isn't in your name, or if it's an unsupported card such as
American Express or a prepaid card. It also fails if it would exceed your top-up
limits. The app shows the reason; no money is taken for a failed top-up, although your
bank may show a temporary hold for a few days."""),
     ["top-up", "failed"]),

    ("balance_not_updated_after_bank_transfer", "I sent money to my Kestrel account but it hasn't arrived.", _t("""
Transfers from UK banks by Faster Payments usually arrive within minutes and always
within 2 hours, SEPA transfers within 1 working day and SWIFT transfers in 1-5 working
days. Check that the sender used your name and the account details in Home > Account
details exactly. If it's late, ask the sending bank for proof of payment (with the
reference or UETR for SWIFT) and send it to us in chat so we can trace it."""),
     ["transfers", "top-up", "bank transfer"]),

    ("cash_withdrawal_not_recognised", "There's a cash withdrawal I didn't make.", _t("""
Freeze your card in Cards straight away, then tap "I don't recognise this" on the
withdrawal. We'll cancel the card, send you a free replacement and investigate with the
ATM operator. If the withdrawal was unauthorised we refund it; we may ask you a few
questions about where your card and PIN were at the time."""),
     ["atm", "fraud", "disputes"]),

    ("exchange_charge", "Is there a fee for exchanging currencies?", _t("""
Exchanges are free on weekdays up to your plan's monthly allowance: GBP 1,000 on
Standard, GBP 3,000 on Plus and unlimited on Premium and Metal. Above the allowance we
charge a 0.5% fair usage fee, and a 1% weekend markup applies between Friday 22:00 and
Sunday 22:00 UK time. If you exchange a lot for a short period, an FX Pack adds GBP 5,000
of fee-free exchange for 30 days for GBP 4.99."""),
     ["exchange", "fees"]),

    ("top_up_by_card_charge", "Is there a fee for topping up by card?", _t("""
Top-ups with a debit card issued in the UK or the EEA are free. Top-ups with a credit
card, or with any card issued outside the UK and EEA, carry a 1% fee, which is shown
before you confirm. Your card issuer may treat a credit card top-up as a cash advance
and charge its own fee, so a bank transfer is usually the cheapest way to add money."""),
     ["top-up", "fees"]),

    ("activate_my_card", "How do I activate my new card?", _t("""
Open Cards, tap the new card and choose Activate, then scan or type the 6-digit code
printed on the letter that came with your card. You'll need the app and the letter, not
a phone call or a Help Point visit. After activation, make your first payment with chip
and PIN (you can see your PIN in Cards > Show PIN) to switch on contactless."""),
     ["cards", "activation"]),

    ("cash_withdrawal_charge", "Why was I charged for a cash withdrawal?", _t("""
Each plan includes free ATM withdrawals each month: GBP 200 on Standard, GBP 400 on
Plus, GBP 600 on Premium and GBP 800 on Metal. After that we charge 2% of the amount,
with a minimum of GBP 1 per withdrawal; your allowance resets on the same day each month.
The ATM operator may add its own fee, which is shown on the ATM screen. See how much of
your allowance is left under Cards > Limits."""),
     ["atm", "fees"]),

    ("card_about_to_expire", "My card is about to expire. Will I get a new one?", _t("""
Yes. If you've used your card in the last 6 months, we send a new one free of charge
about 4 weeks before the expiry date shown on the card (the last day of that month).
Activate it when it arrives; Apple Pay, Google Pay and most subscriptions update
automatically. If you haven't received it 2 weeks before expiry, order one in Cards;
it's still free."""),
     ["cards", "expiry"]),

    ("apple_pay_or_google_pay", "Can I use Apple Pay or Google Pay?", _t("""
Yes. Open Cards, choose a physical or virtual card and tap "Add to Apple Wallet" or
"Add to Google Pay", or add the card from the wallet app itself. You can then pay with
your phone or watch wherever contactless is accepted, with no limit set by us beyond
your balance (some terminals set their own). You can't top up your Kestrel account with
Apple Pay or Google Pay; use a debit card or a bank transfer."""),
     ["apple pay", "google pay", "wallets"]),

    ("verify_my_identity", "How do I verify my identity?", _t("""
In the app, go to Profile > Verify identity and take a photo of a valid photo ID: a
passport, a UK or EEA driving licence, an EEA national identity card or a UK residence
permit. Then record a short selfie video so we can match you to the document. Most
checks finish within 10 minutes and some take up to 24 hours; we'll notify you as soon
as you're verified."""),
     ["identity", "verification"]),

    ("country_support", "Which countries do you support?", _t("""
You can open a Kestrel account if you live in the UK, in any EEA country or in
Switzerland, and we deliver cards to addresses in all of these countries. You can use
your card and send money in more than 150 countries. If you move to a country we don't
serve, you can keep using the account for up to 90 days; tell us in chat so we can help
you plan."""),
     ["account", "countries"]),
]


# Loans: topics outside banking77, with their own categories
FAQS_LOANS_EN: list[tuple[str, str, str, str, list[str]]] = [
    ("faq-loan-repayment", "loan_repayment", "How are my loan repayments collected?", _t("""
Loan repayments are collected once a month on the day you chose (between the 1st and
the 28th), from your GBP balance at 06:00. If there isn't enough money, we try your
repayment card at 14:00 the same day. You can pay off part or all of your loan early at
any time with no fee under Loans > Manage loan > Pay early. If a repayment fails, we try
again 3 working days later; there's no late fee, but repayments more than 30 days late
are reported to credit reference agencies."""),
     ["loans", "repayment"]),
    ("faq-loan-limit", "loan_limit", "How much can I borrow?", _t("""
Kestrel Personal Loans range from GBP 1,000 to GBP 25,000 over 12 to 60 months, with a
representative APR of 7.9% (fixed). Your personal limit and rate are shown under Home >
Loans > Get a quote, which uses a soft search that doesn't affect your credit score. The
limit depends on your income, outgoings and credit history and is reviewed every month;
after 6 on-time repayments we automatically check whether we can offer you more."""),
     ["loans", "limits"]),
    ("faq-loan-change-repayment-card", "change_repayment_card", "How do I change the card used for my loan repayments?", _t("""
Go to Loans > Manage loan > Repayment card > Change card and add a UK Visa or Mastercard
debit card in your name; credit cards aren't accepted. Make the change at least 3 working
days before your next repayment date so it applies to that payment. Your GBP balance is
always tried first, so the repayment card is only used when your balance is too low."""),
     ["loans", "repayment", "cards"]),
]


# Not searchable: drafts waiting for review and one archived answer
FAQS_UNPUBLISHED_EN: list[dict] = [
    {"id": "faq-joint-accounts", "status": "draft", "category": "edit_personal_details",
     "title": "Can I open a joint account?", "tags": ["account", "joint"],
     "body": _t("""Yes. Two adults who each have a verified Kestrel account can open a
free joint account under Profile > Joint account > Invite. Both of you get your own card
and can see every transaction. DRAFT: confirm the exit process with the product team
before publishing.""")},
    {"id": "faq-crypto-fees", "status": "draft", "category": "exchange_charge",
     "title": "What does it cost to buy cryptoassets?", "tags": ["crypto", "fees"],
     "body": _t("""Buying or selling cryptoassets in Kestrel Crypto costs 1.49% of the
amount of each trade, shown before you confirm. Cryptoassets are not covered by the
Financial Services Compensation Scheme and their value can go down as well as up.""")},
    {"id": "faq-cashback-card", "status": "archived", "category": "card_payment_fee_charged",
     "title": "How does the Cashback card work?", "tags": ["cards", "cashback"],
     "body": _t("""The Kestrel Cashback card paid 1% cashback on card payments in pounds
for GBP 2.99 a month. The Cashback card was withdrawn in January 2026 and existing
cardholders were moved to the Plus plan.""")},
]
