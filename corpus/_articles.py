# ruff: noqa: E501  (long written text)
"""Long-form help articles and internal runbooks for Kestrel Bank (written for kcrm).

Each entry: front-matter fields plus a Markdown body (without the front matter).
"""

from __future__ import annotations

ARTICLES: list[dict] = []


def _article(id: str, title: str, category: str, tags: list[str], body: str,
             visibility: str = "public", language: str = "en") -> None:
    ARTICLES.append({"id": id, "kind": "article", "title": title, "visibility": visibility,
                     "category": category, "tags": tags, "language": language,
                     "body": body.strip() + "\n"})


_article("kb-international-transfers", "Sending money abroad", "transfer_timing",
         ["transfers", "international", "fees"], """
# Sending money abroad

With Kestrel you can send money to more than 150 countries straight from the app. This
article explains which kind of transfer we use, how long each one takes, what it costs
and what to do if something goes wrong.

## Choosing how to send

When you start a transfer under **Payments > Send**, we pick the fastest and cheapest
route for the destination and currency:

- **UK transfers in pounds** go by Faster Payments. They are free and usually arrive in
  seconds, always within 2 hours.
- **Euro transfers to SEPA countries** (the EEA, Switzerland and a few others) are free.
  If the receiving bank supports SEPA Instant, the money arrives in seconds; otherwise
  it arrives within 1 working day.
- **Other international transfers** go through a local payment network where we have
  one, or through SWIFT. They take 1-3 working days for major currencies such as USD,
  CHF, JPY, AUD and CAD, and up to 5 working days for other currencies.

Transfers made at weekends or on UK bank holidays start on the next working day, except
Faster Payments and SEPA Instant, which run every day.

## What it costs

UK and SEPA transfers are free. An international transfer costs a fixed **GBP 1.50**,
and if we convert the money for you the usual exchange rules apply: the live interbank
rate on weekdays within your plan's fee-free allowance (Standard GBP 1,000 a month,
Plus GBP 3,000, Premium and Metal unlimited), a 0.5% fair usage fee above it, and a 1%
weekend markup between Friday 22:00 and Sunday 22:00 UK time. The full cost and the
amount your recipient gets are shown before you confirm.

The GBP 1.50 fee is waived on the **Metal plan**, and the **International Transfer
Bundle** (GBP 9.99) gives you ten transfers without the fee, valid for 90 days.

On the SWIFT route, banks that pass the payment along (intermediary banks) can deduct
their own charge. We can't control or refund these charges, which is why a recipient
sometimes receives a little less than you sent. Sending in the recipient's local
currency avoids most of them.

## Details you need

For most countries you need the recipient's full name as their bank knows it, their
IBAN or account number, and the bank's BIC or SWIFT code. Some countries need more: a
routing number for the US, a BSB code for Australia, an IFSC code for India. The app
asks for exactly the fields the destination needs. For UK payments we run Confirmation
of Payee: if the name doesn't match the account, check with your recipient before you
continue, because a payment sent to the wrong account is very hard to get back.

## Limits

You can send up to GBP 25,000 per day from the app. The first payment to a new recipient
can be held for up to 24 hours for security checks; we'll message you in chat if we need
anything.

## Tracking a transfer

Tap the transfer under **Payments** to see its status:

- **Pending**: we are checking it or waiting for the payment network. International
  transfers can still be cancelled at this stage.
- **Completed**: the money has left Kestrel. Share the receipt (tap **Share receipt**)
  with your recipient so their bank can find the payment. For SWIFT transfers, the
  receipt includes the UETR tracking reference.
- **Returned** or **Failed**: the money is on its way back to you (see below).

## If something goes wrong

If your recipient hasn't received the money after the expected time, contact us in
chat with the transfer; we'll trace it with the receiving bank. If a transfer fails or
is returned, for example because the account is closed, the money comes back to your
balance automatically: usually within 2 working days for UK and SEPA transfers and up
to 10 working days for international ones. We refund the GBP 1.50 fee, and if the money
was converted it is converted back at the rate on the day it returns.

If you sent money to the wrong account, tell us immediately. We'll ask the receiving
bank to return it, but we can't guarantee recovery once the money has arrived.
""")

_article("kb-getting-your-card", "Getting your Kestrel card: delivery, activation and PIN", "card_delivery_estimate",
         ["cards", "delivery", "activation", "pin"], """
# Getting your Kestrel card: delivery, activation and PIN

Every Kestrel account comes with a free Standard Visa debit card. This guide covers
ordering, delivery, activation and your PIN, so you can start spending as soon as
possible.

## Ordering

Order your card in the **Cards** tab under **+ > Physical card**. Your first Standard
card and its standard delivery are free. You can also choose:

- the **Kestrel Metal card**, an 18-gram stainless-steel Visa debit card for a one-off
  GBP 49 (included with the Metal plan);
- a **personalised design** with your own photo or artwork for GBP 9.99;
- a **spare card** on the same account for GBP 5 (free on Premium and Metal), up to 3
  physical cards at once.

All personal cards are Visa debit cards. Business cards are Mastercard.

## Delivery times

We hand your card to the post within 1 working day.

| Delivery | Where | Time | Price |
|---|---|---|---|
| Standard | UK | 3-5 working days | free |
| Standard | other countries we serve | up to 10 working days | free |
| Express | UK only | 1-2 working days, tracked | GBP 4.99, free on Premium and Metal |

Standard delivery can't be tracked; express deliveries show a Royal Mail tracking
number in the app. While you wait, create a free **virtual card** in the Cards tab: it
works immediately online and with Apple Pay or Google Pay.

## If your card doesn't arrive

If your card hasn't arrived after **7 working days in the UK** or **15 working days
elsewhere**, tap the card in Cards and choose **My card hasn't arrived**. We cancel the
missing card, so nobody else can use it, and send you a free replacement. Before you
do, check your address under **Profile > Personal details**: most missing cards are
caused by a missing flat number or house name.

## Activating your card

Your card arrives inactive, in a letter with a 6-digit activation code. Open **Cards**,
tap the new card, choose **Activate** and scan or type the code. That's all: you don't
need to call us or visit a Help Point.

If you received a card that doesn't appear in your app, for example one ordered on the
phone, use **Cards > + > Link a physical card** with the same code.

## Your PIN

We never send PINs by post. After activation you can see your PIN at any time under
**Cards > Show PIN**, after confirming with your passcode or biometrics. Your first
payment with a new card must be chip and PIN; after that, contactless is switched on.
The UK contactless limit is GBP 100 per payment.

You can change your PIN at any UK ATM that offers PIN services. If you enter a wrong
PIN 3 times in a row it is blocked; unblock it under **Cards > Security > Unblock PIN**.

## When your card expires

We send a new card free of charge about 4 weeks before your card expires, as long as
you've used it in the last 6 months. If it hasn't arrived 2 weeks before the expiry
date, order one in the Cards tab; it's still free. Apple Pay, Google Pay and most
subscriptions pick up the new card automatically.
""")

_article("kb-exchange-rates-and-fees", "Exchange rates, weekend markups and fair usage explained", "exchange_rate",
         ["exchange", "fees", "currencies"], """
# Exchange rates, weekend markups and fair usage explained

Kestrel lets you hold 32 currencies and spend in more than 150. This article explains
exactly how we convert your money and when a fee applies, so there are no surprises.

## The rate we use

On weekdays we use the **live interbank rate**: the rate banks use to trade currencies
with each other, updated every few seconds. We don't add a hidden margin to it. The
same rate applies when you:

- exchange between your balances under **Home > Exchange**;
- pay by card in a currency you don't hold; we convert from your main balance at the
  moment the payment is authorised;
- withdraw foreign currency at an ATM abroad;
- send an international transfer that needs conversion.

## Your fee-free allowance

Each plan includes an amount you can convert every month without any fee:

| Plan | Monthly price | Fee-free exchange |
|---|---|---|
| Standard | free | GBP 1,000 |
| Plus | GBP 3.99 | GBP 3,000 |
| Premium | GBP 7.99 | unlimited |
| Metal | GBP 14.99 | unlimited |

Above the allowance we charge a **0.5% fair usage fee** on the amount converted. The
allowance resets on the same day each month. If you have a big trip or purchase coming
up on Standard or Plus, an **FX Pack** adds GBP 5,000 of fee-free exchange for 30 days
for GBP 4.99.

## Weekend markup

Currency markets close from Friday 22:00 to Sunday 22:00 UK time. Rates can jump when
they reopen, so during that window we add a **1% markup** on every plan. If you can,
exchange what you need before Friday evening. Card payments you make at the weekend
are converted with the markup too.

## Dynamic currency conversion: always say no

Shops, restaurants and ATMs abroad often offer to charge you in pounds instead of the
local currency. This is called dynamic currency conversion, and the merchant or ATM
operator chooses the rate, usually several percent worse than ours. Always choose to
pay in the **local currency** and let Kestrel do the conversion. If you accepted the
merchant's conversion, we can't refund the difference, because the merchant charged us
in pounds.

## Why a card payment can differ from what you expected

- The payment was made during the weekend window, so the 1% markup applied.
- You had used your fee-free allowance, so the 0.5% fair usage fee applied.
- The merchant applied dynamic currency conversion.
- The merchant collected the payment for a different amount than it first authorised,
  for example a hotel adding a minibar bill.

Tap any payment in the app to see the rate we used and any fee, itemised.

## Setting a target rate

Under **Home > Exchange > Auto-exchange** you can set a target rate. When the market
reaches it on a weekday, we exchange automatically and notify you. Auto-exchange orders
never run at weekends.
""")

_article("kb-adding-money", "Adding money to your Kestrel account", "topping_up_by_card",
         ["top-up", "bank transfer", "cash", "cheque", "limits"], """
# Adding money to your Kestrel account

There are four ways to add money to Kestrel: a bank transfer, a debit or credit card,
cash at the Post Office, and cheques. This article covers how each works, what it
costs and the limits.

## Bank transfer: free and unlimited

Send money from another bank to your Kestrel details under **Home > Account details**:
your sort code and account number for pounds, or your IBAN for euros and other
currencies. Transfers from UK banks arrive by Faster Payments, usually within minutes
and always within 2 hours. SEPA transfers arrive within 1 working day and SWIFT
transfers in 1-5 working days.

We don't charge for incoming transfers, and there's no Kestrel limit. Your sending bank
may have its own limit or fee, and intermediary banks can deduct a charge on SWIFT
payments.

## Card top-ups: instant

Go to **Home > Add money > Card**. The first time, enter the card number, expiry date
and security code and complete your card issuer's 3-D Secure check. Most card top-ups
arrive instantly.

- We accept Visa and Mastercard debit and credit cards in your own name. American
  Express, prepaid cards and cards in someone else's name aren't accepted.
- Top-ups in GBP, EUR, USD, CHF, PLN, SEK, NOK, DKK and CZK are supported.
- Debit cards issued in the UK or EEA are free. Credit cards and cards issued elsewhere
  cost 1%, shown before you confirm. Your card issuer may also treat a credit card
  top-up as a cash advance.

### Card top-up limits

| Limit | Amount |
|---|---|
| Per top-up | GBP 10 to GBP 5,000 |
| Any 24 hours | GBP 10,000 |
| Any rolling 30 days | GBP 30,000 |

### Auto top-up

Under **Home > Add money > Auto top-up** choose a trigger balance (GBP 10-1,000) and an
amount (GBP 20-2,500). Whenever a payment takes you below the trigger, we top you up
from your saved debit card.

### Verifying a new card

Sometimes we ask you to prove a card is yours. We make a small charge between GBP 0.01
and GBP 2.00; in your card issuer's app or statement it appears as **KESTREL*** followed
by a 4-digit code. Enter the code under **Home > Add money > Verify card** within 3 days
and we refund the charge.

### Pending, failed and reverted top-ups

- **Pending**: some issuers take up to 30 minutes, and a first top-up with a new card
  can be held for up to 2 hours for security checks.
- **Failed**: the issuer declined it, 3-D Secure wasn't completed, the card isn't
  supported or a limit was reached. No money is taken, though your bank may show a
  temporary hold.
- **Reverted**: the issuer cancelled it after it first looked successful. The money
  goes back to your card within 3-7 working days. Please don't retry until it has.

## Cash at the Post Office

Pay in cash at any Post Office counter in the UK with your Kestrel card. Each deposit
costs GBP 1.50, with a maximum of GBP 1,000 per deposit and GBP 3,000 per 30 days. Cash
usually appears within 15 minutes and always within 2 working days. Keep the receipt
until it does.

## Cheques

Pay in sterling cheques made out to you under **Payments > Pay in a cheque**: photograph
the front and back and enter the amount. Each cheque can be up to GBP 1,000. The money
is available by 23:59 the next working day; cheques paid in at weekends or on bank
holidays start clearing the next working day.

Apple Pay and Google Pay can be used to spend with your Kestrel card, but not to add
money to your account.
""")

_article("kb-lost-stolen-compromised", "Lost, stolen or compromised card or phone", "lost_or_stolen_card",
         ["cards", "security", "fraud", "phone"], """
# Lost, stolen or compromised card or phone

If your card or phone goes missing, or you think someone knows your card details, a few
quick steps keep your money safe. Our team is available 24/7 in chat and on
**+44 20 7946 0000** for lost cards and fraud.

## Step 1: freeze the card

Open **Cards**, tap the card and choose **Freeze**. A frozen card can't be used for
payments or withdrawals, but you can unfreeze it instantly if you find it. Freezing is
free and doesn't affect your other cards, your balance or incoming payments.

## Step 2: report it

If you're sure the card is gone, choose **Cards > Report lost or stolen** and pick what
happened:

- **Lost**: the card is cancelled permanently. A replacement costs GBP 5, free on
  Premium and Metal.
- **Stolen**: the card is cancelled and the replacement is free on every plan.
- **Retained by ATM**: ATMs destroy retained cards, so we cancel it and send a free
  replacement.
- **Compromised**: if the card is still with you but someone may have its details, for
  example after a data breach or a suspicious website, we cancel it and send a free
  replacement with a new number, expiry date and security code.

Once a card is reported it can't be reactivated, even if you find it. Cut it up.

Your virtual cards and the cards in Apple Pay or Google Pay have their own details and
keep working, so you can keep paying while the replacement is on its way (3-5 working
days in the UK, or 1-2 working days with express delivery).

## Step 3: check your transactions

Go through your recent transactions. For each payment or cash withdrawal you don't
recognise, tap it and choose **I don't recognise this**. Many unfamiliar names are
legitimate: tap the payment to see the merchant's details first. For confirmed
unauthorised payments we normally refund you by the end of the next working day while
we investigate.

After you receive the new card, update it with subscriptions and online shops where
you saved the old one.

## If your phone is lost or stolen

The Kestrel app is protected by your passcode or biometrics, but act quickly:

1. Log in to Kestrel web banking on another device, or call us on +44 20 7946 0000, and
   freeze your cards. We'll also sign out the lost device.
2. Ask your mobile provider to block your SIM, so no one can receive your security
   codes.
3. On your new phone, install the Kestrel app, log in with your phone number and
   passcode and record a selfie video to confirm it's you. Cards stored in Apple Pay or
   Google Pay on the lost phone are removed automatically.

If you've forgotten your passcode at the same time, tap **Forgot passcode** on the login
screen.

## Protecting yourself

Kestrel staff will never ask for your PIN, your passcode, the full card number or a
security code sent to your phone, and will never ask you to move money to a "safe
account". If someone does, hang up and contact us through the app.
""")

_article("kb-disputes-and-refunds", "Refunds, duplicate charges and disputing a payment", "request_refund",
         ["disputes", "refunds", "chargeback", "card payments"], """
# Refunds, duplicate charges and disputing a payment

This article explains pending payments, how merchant refunds work, and how to dispute a
card payment or Direct Debit when something goes wrong.

## Pending and reverted payments

When you pay by card, the merchant first **authorises** the payment, which sets the
money aside and shows it as **Pending**. The merchant then **collects** it, usually within
1-3 working days. If it never collects, we release the money automatically after 7 days,
or up to 31 days for hotels and car rental.

A **reverted** payment means the merchant cancelled the authorisation, so the money is
back in your balance straight away. If the merchant still says you haven't paid, pay
again.

## Charged twice?

A second charge is often a pending authorisation the merchant didn't cancel; it drops
off within 7 days. If both payments are **Completed**, ask the merchant to refund one.
If they won't, tap the payment and choose **Report an issue > Charged twice**.

## Getting a refund from a merchant

We can't cancel or refund a purchase ourselves: refunds come from the merchant, so
contact them first. Once a merchant issues a refund it normally reaches your account
within 5 working days, sometimes up to 15. It appears as a new transaction; the original
payment stays in your history.

If a refund hasn't arrived after 15 working days, ask the merchant for the
**Acquirer Reference Number (ARN)** and send it to us in chat; we'll trace it.

## Disputing a card payment (chargeback)

If a merchant won't help, you can ask us to dispute the payment through Visa's
chargeback scheme. Common reasons are:

- goods or services never arrived;
- the item was faulty or significantly not as described;
- you cancelled a subscription or booking but were still charged;
- you were charged the wrong amount or more than once.

Open the payment, choose **Report an issue** and follow the steps. Raise the dispute
within **120 days** of the payment and upload what you have: order confirmations, emails
with the merchant, photos, cancellation proof. We send the dispute to the merchant's
bank, which has the right to respond. Most disputes are resolved within 30 days, but
some take up to 90. We'll keep you updated in the app.

## Payments you didn't make

A dispute is for payments you made yourself. If you don't recognise a payment at all,
freeze your card and tap **I don't recognise this** instead: we cancel the card, send a
free replacement and investigate as fraud. Confirmed unauthorised payments are
normally refunded by the end of the next working day.

## Direct Debits

Direct Debits are covered by the **Direct Debit Guarantee**. If a Direct Debit was taken
in error or without your authority, tap it and choose **Claim a refund**: we refund the
full amount immediately and cancel the mandate. You can see and cancel all mandates
under **Payments > Direct Debits**.

## ATM problems

If an ATM gave you less cash than the amount taken, or no cash at all, tap the
withdrawal and choose **Report an issue > Wrong amount of cash** within 60 days. We
claim from the ATM operator; most claims are settled within 10 working days, some take
up to 45.
""")

_article("kb-identity-verification", "Why and how we verify your identity", "verify_my_identity",
         ["identity", "verification", "source of funds"], """
# Why and how we verify your identity

Before you can use your Kestrel account, we need to confirm who you are. This page
explains why, what you need and how to fix the most common problems.

## Why we ask

Kestrel is a regulated bank. Under the UK Money Laundering Regulations we must verify
the identity of every customer and understand how they use their account. Verification
also protects you: it stops someone else from opening an account in your name. Until
you're verified you can't add money, make payments or order a card.

## What you need

- A valid, original photo ID: a passport, a UK or EEA driving licence (photocard), an
  EEA national identity card or a UK residence permit. Expired documents, photocopies
  and screenshots aren't accepted.
- Your phone, to record a short selfie video so we can match you to the document.

## How to do it

1. In the app, go to **Profile > Verify identity**.
2. Choose your document type and take a photo of it (both sides for cards), on a dark,
   flat surface with all four corners visible.
3. Record the selfie video, following the instructions on screen.

Most verifications are completed within **10 minutes**. Some need a person to check
them and take up to **24 hours**. We'll notify you as soon as it's done.

## If verification fails

The most common reasons are:

- **Glare or blur**: move away from direct light and hold the phone steady.
- **Cut-off corners**: the whole document must be in the frame.
- **Name mismatch**: the name in your profile must match your document exactly,
  including middle names. Update it under Profile > Personal details first.
- **Selfie problems**: use good, even light and remove hats and sunglasses.
- **Unsupported document**: for example a provisional licence with no photo or a
  residence permit from outside the UK.

After 3 unsuccessful attempts, contact us in chat. We'll move your application to
manual review and may ask for another photo; this usually takes up to 24 hours.

## Source of funds checks

From time to time, for example after a large or unusual payment into your account, we
may ask where your money comes from. This is a legal requirement, not an accusation.
Upload documents under **Profile > Documents**:

- your last 3 payslips, or your latest tax return if you're self-employed;
- bank statements for the last 3 months showing the money;
- a sale contract for a property, car or other asset;
- an inheritance letter, or a letter from a solicitor.

We usually review documents within 2 working days. Please reply within 14 days;
otherwise we may have to restrict your account until the check is complete.

## Keeping your data safe

Your documents are encrypted and stored only for as long as the law requires (5 years
after your account closes). We never share them for marketing.
""")

_article("kb-plans-and-fees", "Kestrel plans and fees at a glance", "card_payment_fee_charged",
         ["plans", "fees", "atm", "exchange"], """
# Kestrel plans and fees at a glance

Kestrel has four personal plans. Every plan includes a current account with a UK sort
code and account number, 32 currencies, a free Standard Visa debit card and free virtual
cards. This page lists what each plan includes and every fee we charge.

## Plans

| | Standard | Plus | Premium | Metal |
|---|---|---|---|---|
| Monthly price | free | GBP 3.99 | GBP 7.99 | GBP 14.99 |
| Fee-free exchange per month | GBP 1,000 | GBP 3,000 | unlimited | unlimited |
| Free ATM withdrawals per month | GBP 200 | GBP 400 | GBP 600 | GBP 800 |
| Disposable virtual cards | no | yes | yes | yes |
| Express card delivery | GBP 4.99 | GBP 4.99 | free | free |
| Replacement and spare cards | GBP 5 | GBP 5 | free | free |
| Metal card | GBP 49 | GBP 49 | GBP 49 | included |
| International transfer fee | GBP 1.50 | GBP 1.50 | GBP 1.50 | free |

You can change plan at any time under **Profile > Plan**. Upgrades start immediately;
downgrades take effect at the end of your billing month. Paid plans are charged on the
same day each month.

## Fees you might see

- **Weekend exchange markup**: 1% on currency conversions between Friday 22:00 and
  Sunday 22:00 UK time, on every plan.
- **Fair usage fee**: 0.5% on exchanges above your plan's monthly allowance.
- **ATM fee**: 2% (minimum GBP 1) on withdrawals above your free allowance. ATM
  operators may charge their own fee, shown on screen.
- **Card top-ups**: free with UK/EEA debit cards; 1% with credit cards or cards issued
  outside the UK and EEA.
- **Cash deposits**: GBP 1.50 per deposit at the Post Office.
- **International transfers**: GBP 1.50 (free on Metal).
- **Card delivery and replacement**: express delivery GBP 4.99, lost-card replacement
  GBP 5 (free on Premium and Metal; free on every plan for stolen, compromised, faulty,
  retained or expiring cards).

Card payments themselves are always free. Payments to casinos, money transfer services
or for buying cryptoassets elsewhere count as cash withdrawals and use your ATM
allowance.

## Add-ons

- **FX Pack**: GBP 5,000 of extra fee-free exchange for 30 days, GBP 4.99.
- **International Transfer Bundle**: 10 transfers without the GBP 1.50 fee, valid 90
  days, GBP 9.99.
- **Travel data eSIM**: 5 GB for 30 days in 100+ countries, GBP 7.99.
- **Insurance**: single-trip travel insurance (GBP 11.99), annual multi-trip travel
  insurance (GBP 59), gadget insurance (GBP 6.99 a month), purchase protection
  (GBP 1.99 a month) and car hire excess cover (GBP 4.99 per rental).

## Seeing your fees

Every fee appears as its own transaction with a label explaining it. Tap it to see the
calculation. Your monthly statement, under **Home > Statements**, summarises all fees
for the month.
""")

_article("kb-personal-loans", "Kestrel Personal Loans: borrowing and repaying", "loan_repayment",
         ["loans", "repayment", "lending"], """
# Kestrel Personal Loans: borrowing and repaying

A Kestrel Personal Loan lets you borrow between GBP 1,000 and GBP 25,000 over 12 to 60
months at a fixed rate. This article covers your limit, applying, repayments and what
to do if you're struggling.

## How much can I borrow?

Open **Home > Loans > Get a quote** to see your personal limit and rate. Getting a quote
uses a soft search, which doesn't affect your credit score. The representative APR is
**7.9% (fixed)**; the rate you're offered depends on your circumstances.

Your limit depends on your income, regular outgoings, credit history and how you use
Kestrel. We review it every month. We can't raise a limit manually, but after 6 on-time
repayments we automatically check whether we can offer you more.

To apply you must be 18 or over, live in the UK and have a regular income.

## Applying

Choose the amount and the term, check the monthly repayment and total cost, and sign the
agreement in the app. Most decisions are instant and the money usually arrives in your
Kestrel account within minutes. You have 14 days to withdraw from the agreement by
repaying the amount borrowed plus interest for the days you had it.

## Repayments

- Repayments are collected once a month on the day you choose, between the 1st and the
  28th. You can change the day once every 3 months.
- We collect from your **GBP balance** at 06:00 on the due date.
- If your balance is too low, we try your **repayment card** at 14:00 the same day.

### Changing your repayment card

Go to **Loans > Manage loan > Repayment card > Change card** and add a UK Visa or
Mastercard debit card in your name. Credit cards aren't accepted. Make the change at
least 3 working days before the due date for it to apply to that repayment.

### Paying early

You can repay part or all of the loan at any time with no fee under **Loans > Manage loan
> Pay early**. If you pay off part of it, choose whether to shorten the term or lower the
monthly repayment.

## If a repayment fails

We'll notify you and try again 3 working days later. There's no late fee, but interest
keeps building up, and repayments more than 30 days late are reported to credit
reference agencies, which can affect your ability to borrow in future.

## If you're finding it hard to pay

Talk to us as early as you can, in chat or on +44 20 7946 0000. Our financial support team
can look at a payment break, a lower repayment for a while or a longer term. Free,
impartial advice is also available from debt charities.

## Related products

- **Credit Builder** (GBP 4.99 a month) reports on-time payments to credit reference
  agencies to help build your credit history.
- An **arranged overdraft** of up to GBP 2,000 (29.9% EAR variable) covers short-term
  gaps.
""")

_article("kb-runbook-fraud-chargeback", "Runbook: unauthorised payments, compromised cards and chargebacks",
         "compromised_card", ["runbook", "fraud", "chargeback", "disputes"], visibility="internal", body="""
# Runbook: unauthorised payments, compromised cards and chargebacks

Internal procedure for agents in Card Operations and first-line support. Follow it for
every contact about payments the customer says they didn't make, compromised card
details, or disputes with a merchant.

## 1. Verify the customer

- **Chat in the app**: the session is already authenticated; no further checks.
- **Phone, email or visit**: send an in-app approval request from the console (Customer
  > Verify). If the customer can't approve (lost phone), use date of birth, postcode and
  two random characters of the security phrase.
- Never ask for the full card number, PIN, CVV, app passcode or one-time codes. If a
  customer writes a full card number in chat or email, do not copy it into case notes:
  refer to the card by its last 4 digits, and use **Redact message** on the original.

## 2. Protect the account first

1. Freeze all physical and virtual cards the customer thinks are affected.
2. If the phone or app may be compromised, sign out all devices (Security > Sessions).
3. If there are signs of account takeover (new device plus changed email or phone in
   the last 48 hours), stop and transfer to the Financial Crime queue (**FinCrime-ATO**).

## 3. Classify the contact

| Customer says | Type | Console action |
|---|---|---|
| "I didn't make this payment" and the card was in their possession | Fraud, card not present | Report compromised, fraud claim |
| Card lost or stolen, then unknown payments | Fraud, lost/stolen | Report lost/stolen, fraud claim |
| "I paid but never got the goods", faulty, cancelled but charged | Dispute | Chargeback |
| Charged twice | Check pending first | Chargeback only if both completed |
| Paid a person or business because they were tricked | APP scam | Scam claim (**FinCrime-APP**) |

## 4. Fraud claims

- Cancel the card with reason **Compromised** or **Stolen**: replacement is free. Offer
  express delivery at no cost if the customer has no other card.
- Raise one claim covering all unauthorised transactions. Confirm each one with the
  customer; tell them to check merchant details first (parent company names cause many
  false claims).
- Under the Payment Services Regulations we must refund unauthorised payments by the
  end of the next business day. The console issues a **provisional credit** when the
  claim is raised; do not promise anything beyond that.
- The only exceptions are suspected first-party fraud or gross negligence (for example
  the customer shared their PIN and card). Do not decide this yourself: tick **Review
  liability** and the FinCrime team decides within 5 working days.
- Cash withdrawals with chip and PIN: ask where the card and PIN were kept; still raise
  the claim.

## 5. Chargebacks (disputes)

- The customer must have contacted the merchant first, unless the merchant has gone out
  of business. Record the date and the merchant's answer.
- Time limit: **120 days** from the transaction date (or from the expected delivery
  date for goods not received).
- Choose the Visa reason code in the console:
  - 13.1 merchandise or services not received;
  - 13.3 not as described or defective;
  - 13.2 cancelled recurring transaction;
  - 12.6 duplicate processing;
  - 12.5 incorrect amount.
- Ask for evidence via the in-app upload link: order confirmation, correspondence,
  photos, cancellation proof. Without evidence the dispute will be lost.
- Tell the customer that most disputes are resolved within 30 days and some take up to
  90, and that the merchant can challenge the dispute, in which case a provisional
  credit can be reversed.

## 6. APP scams

If the customer authorised a transfer because they were deceived (fake investment,
impersonation of a bank or the police, purchase scam), raise a scam claim and transfer
to **FinCrime-APP**. Do not tell the customer they will definitely be refunded: the
reimbursement decision follows the mandatory reimbursement rules and the team aims to
decide within 5 business days. Attempt a recall of the funds immediately.

## 7. Close the case

- Resolution category: the matching help-centre category (for example
  `card_payment_not_recognised`, `compromised_card`, `request_refund`).
- Link the article that you sent the customer.
- Notes: amounts, dates and merchants, card by last 4 digits only, the claim reference.
""")

_article("kb-runbook-identity-verification", "Runbook: identity verification and manual review",
         "unable_to_verify_identity", ["runbook", "identity", "kyc", "source of funds"], visibility="internal", body="""
# Runbook: identity verification and manual review

Internal procedure for the Onboarding and Customer Due Diligence teams, and for
first-line agents handling "I can't verify my identity" contacts.

## Verification statuses in the console

| Status | Meaning | What the agent does |
|---|---|---|
| `PENDING` | Automatic check running (normally under 10 minutes) | Ask the customer to wait; no action |
| `DOC_REJECTED` | Document unreadable, expired or unsupported | Explain the reason shown, ask for a new photo |
| `SELFIE_MISMATCH` | Face match below threshold | Ask for a new selfie video in good light |
| `NAME_MISMATCH` | Profile name differs from the document | Correct the profile name only if the difference is a typo or a missing middle name |
| `MANUAL_REVIEW` | Queued for a person (SLA 24 hours) | Tell the customer it can take up to 24 hours |
| `EDD_REQUIRED` | Enhanced due diligence needed | Transfer to the CDD queue; see section 4 |
| `VERIFIED` | Done | Nothing |

## Accepted documents

Passport (any country); UK or EEA photocard driving licence; EEA national identity card;
UK biometric residence permit or card. Not accepted: provisional licences without a
photo, student cards, photocopies, screenshots, expired documents.

## 1. First-line handling

1. Check the status and the rejection reason in the console.
2. Give the customer the specific fix from the table; the help article "Why and how we
   verify your identity" has photo tips you can link.
3. After **3 failed automatic attempts**, use **Send to manual review**. Add a note with
   what the customer told you (for example "passport has a damaged corner").
4. Never approve a verification yourself and never tell the customer that a document
   "looks fine": only the review team can decide.

## 2. Manual review (Onboarding team)

- Compare the document photo, the selfie video and the profile data.
- Check the document's security features visible in the image and that the MRZ matches
  the printed data.
- If unsure, request a second document or a live video call (book through the console;
  calls run 09:00-18:00 UK time).
- Decide within 24 hours. Record the decision and the reason code.

## 3. Name and detail changes after verification

Legal name changes need a supporting document (marriage certificate, deed poll, decree
absolute) uploaded under Profile > Personal details. Review within 2 working days.
Address, email and phone changes are self-service and don't need review.

## 4. Source of funds and enhanced due diligence

The system raises `EDD_REQUIRED` or a source-of-funds request, for example when a
customer receives more than GBP 10,000 in 30 days inconsistent with their profile, or
asks for higher top-up limits.

- Ask for documents through **Request documents**: last 3 payslips, 3 months of
  statements, sale contracts, inheritance letters, company accounts for business
  customers.
- Deadline for the customer: 14 days. After that, restrictions apply automatically
  (incoming payments only).
- Review within 2 working days of upload.

## 5. What you must not say

If the case has a financial crime flag, do not tell the customer about it or that a
report may be made: tipping off is a criminal offence. Use the neutral wording: "We need
some more information to complete our regular checks." Transfer any question you can't
answer with that wording to the CDD queue.

## 6. Data handling

- Don't download document images to your device or paste them into chats or emails.
- Refer to documents by type and last 4 characters of the number only.
- Records are kept for 5 years after the relationship ends, then deleted automatically.

## 7. Close the case

Use the category `unable_to_verify_identity`, `verify_my_identity` or
`verify_source_of_funds` as appropriate, and link the public article you sent.
""")

_article("kb-zh-personal-loans", "Kestrel 个人贷款：借款额度、还款与更换还款卡", "loan_repayment",
         ["借款", "还款", "额度", "贷款"], language="zh", body="""
# Kestrel 个人贷款：借款额度、还款与更换还款卡

Kestrel 个人贷款可以借 1,000 至 25,000 英镑，期限为 12 至 60 个月，采用固定利率。本文介绍如何查看借款额度、如何申请、每月如何还款，以及还款遇到困难时该怎么办。

## 我能借多少钱？

打开应用，进入“首页 > 借款 > 查看报价”，即可看到您的个人借款额度和利率。查看报价只进行软查询，不会影响您的信用评分。代表性年利率（APR）为 7.9%（固定利率），实际利率会根据您的个人情况确定。

您的额度取决于收入、日常支出、信用记录以及您使用 Kestrel 账户的情况，我们每月都会重新评估。额度无法人工调整，但在您按时还款满 6 期后，系统会自动评估能否为您提供更高的额度。

申请条件：年满 18 周岁，居住在英国，并有稳定收入。

## 如何申请

1. 选择借款金额和期限，查看每月还款金额和总费用。
2. 在应用中阅读并签署借款合同。
3. 大多数申请即时审批，借款通常在几分钟内到达您的 Kestrel 账户。

签约后 14 天内，您可以撤回借款合同，只需归还借款本金以及实际使用天数的利息。

## 每月如何还款

- 还款日由您选择，可以是每月 1 日至 28 日中的任意一天，每 3 个月可以修改一次。
- 还款日当天 06:00，我们会从您的英镑余额中自动扣款。
- 如果余额不足，我们会在当天 14:00 从您设置的还款卡扣款。

建议在还款日前一天确认英镑余额充足，这样就不需要动用还款卡。

## 更换还款卡

进入“借款 > 管理借款 > 还款卡 > 更换银行卡”，添加一张以您本人名字开立的英国 Visa 或 Mastercard 借记卡。还款卡不接受信用卡。请至少在下一个还款日前 3 个工作日完成更换，新卡才会用于这一期还款；如果晚于这个时间，本期仍会使用原来的还款卡。

常见问题：

- **原来的卡过期了怎么办？** 请尽快按上面的步骤添加新卡，否则余额不足时扣款会失败。
- **可以用别人的卡还款吗？** 不可以，还款卡必须是您本人的借记卡。

## 提前还款

您可以随时在“借款 > 管理借款 > 提前还款”中提前偿还部分或全部借款，不收取任何手续费或违约金。提前还清后，之后各期的利息不再计算。部分提前还款后，您可以选择缩短还款期限，或者保持期限不变、降低每月还款金额。

## 还款失败或逾期

如果某期还款扣款失败，我们会通过应用通知您，并在 3 个工作日后再次尝试扣款。我们不收取逾期费，但利息会继续计算；逾期超过 30 天的还款会报送给信用评级机构，可能影响您今后的借款申请。

## 还款有困难时

请尽早联系我们，您可以通过应用内聊天或拨打 +44 20 7946 0000。我们的财务支持团队可以和您一起评估暂停还款、在一段时间内降低还款金额或延长借款期限等方案。您也可以向免费、独立的债务咨询机构寻求帮助。

## 相关产品

- **信用积累服务（Credit Builder）**：每月 4.99 英镑，向信用评级机构报告您的按时付款记录，帮助建立信用历史。
- **安排透支（Arranged overdraft）**：最高 2,000 英镑，可变年利率 29.9%（EAR），适合应对短期资金周转。
""")
