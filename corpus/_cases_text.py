# ruff: noqa: E501  (long written text)
"""Agent-written case subjects and resolution templates, one per banking77 intent.

Placeholders filled per case by build.py: {plan} (Standard/Plus/Premium/Metal),
{card} (the customer's card name), {amount} (e.g. "GBP 84.20"), {currency}
(e.g. "EUR"), {merchant}, {days}, {city}, {ref}, {atm_allowance}, {fx_allowance}.
"""

from __future__ import annotations

# intent -> (two case subjects, resolution template)
CASE_TEXT: dict[str, tuple[list[str], str]] = {
    "card_arrival": (["Card not arrived", "Waiting for new card"],
        "Card dispatched {days} working days ago by standard post. Past the 7-working-day UK limit, "
        "so cancelled it via Cards > My card hasn't arrived and ordered a free replacement after confirming "
        "the full address, including flat number."),
    "card_linking": (["Link found card to app", "Add received card to app"],
        "Card was only frozen, not reported lost, so talked the customer through unfreezing it in Cards. "
        "Confirmed the {card} now shows as active in the app."),
    "exchange_rate": (["Question about exchange rates", "Which FX rate do we use"],
        "Explained we use the live interbank rate on weekdays with a 1% weekend markup (Fri 22:00-Sun 22:00 UK), "
        "and that the {plan} plan includes {fx_allowance} of fee-free exchange per month. Sent the exchange rate FAQ."),
    "card_payment_wrong_exchange_rate": (["Wrong FX rate on card payment", "Card payment rate query"],
        "Checked the {currency} payment at {merchant}: the merchant applied dynamic currency conversion (charged in GBP "
        "at its own rate). Explained to always pay in local currency; no Kestrel error, so no refund due."),
    "extra_charge_on_statement": (["Unknown charge on statement", "Query about small charge"],
        "The charge was a temporary GBP 1 card check by {merchant}; showed the customer it is pending and will drop off "
        "within 7 days. No Kestrel fee involved."),
    "pending_cash_withdrawal": (["ATM withdrawal still pending", "Pending cash withdrawal"],
        "Withdrawal of {amount} in {city} is waiting for the ATM operator's confirmation. Explained it settles in 1-3 "
        "working days and, as no cash was dispensed, will be released automatically within 7 days; set a reminder to check."),
    "fiat_currency_support": (["Which currencies supported", "Currency holding question"],
        "Confirmed {currency} is one of the 32 currencies the customer can hold and exchange in Home > Exchange, and that "
        "the card can spend in 150+ currencies with automatic conversion."),
    "card_delivery_estimate": (["Card delivery time", "How soon will card arrive"],
        "Explained standard delivery (free, 3-5 working days UK, up to 10 elsewhere) and express (GBP 4.99, 1-2 working days, UK, "
        "tracked; free on Premium/Metal). Customer is on {plan}; suggested a virtual card meanwhile."),
    "automatic_top_up": (["Set up auto top-up", "Auto top-up question"],
        "Walked the customer through Home > Add money > Auto top-up: trigger balance GBP 50, top-up amount {amount}, "
        "saved debit card. Explained it works on balance, not on a schedule."),
    "card_not_working": (["Card not working", "Card declined everywhere"],
        "Online payments were switched off in Cards > Security; switched them back on with the customer and a test payment "
        "at {merchant} went through. No replacement needed."),
    "exchange_via_app": (["How to exchange in app", "Exchange currency in app"],
        "Showed the customer Home > Exchange and how to buy {currency}; explained auto-exchange orders for a target rate "
        "and the 1% weekend markup."),
    "lost_or_stolen_card": (["Lost card", "Card stolen - cancel and replace"],
        "Customer had frozen the card. Reported it lost/stolen in the app, which cancelled it permanently, and ordered a "
        "replacement; reviewed recent transactions with the customer, none unrecognised."),
    "age_limit": (["Account for child", "Minimum age question"],
        "Explained accounts are 18+ and that children aged 7-17 can have a free Kestrel Junior account opened by a parent "
        "under Profile > Family > Add a child."),
    "pin_blocked": (["PIN blocked", "Card blocked after wrong PIN"],
        "PIN blocked after 3 wrong attempts. Customer checked the PIN in Cards > Show PIN and unblocked it in Cards > Security; "
        "advised to use chip and PIN at the next payment."),
    "contactless_not_working": (["Contactless not working", "Contactless declined"],
        "New {card} had not yet had a chip-and-PIN payment, so contactless was not active. Customer made a chip-and-PIN "
        "payment and contactless now works."),
    "top_up_by_bank_transfer_charge": (["Fee for bank transfer top-up", "SWIFT/SEPA incoming charges"],
        "Confirmed we don't charge for incoming bank transfers (Faster Payments, SEPA or SWIFT); explained intermediary banks "
        "may deduct a fee on SWIFT payments. Shared account details location (Home > Account details)."),
    "pending_top_up": (["Top-up pending", "Card top-up stuck"],
        "First top-up with a new card was held for security checks. Checked it, released it manually, and the {amount} top-up "
        "completed while the customer was in contact."),
    "cancel_transfer": (["Cancel transfer", "Sent money to wrong account"],
        "Faster Payment of {amount} had already completed and can't be cancelled. Raised a recall request with the receiving "
        "bank (ref {ref}) and explained recovery isn't guaranteed; customer to be updated within 10 working days."),
    "top_up_limits": (["Top-up limit question", "Top-up over limit"],
        "Explained card top-up limits (GBP 10-5,000 each, GBP 10,000 per 24h, GBP 30,000 per 30 days) and that bank transfers "
        "have no Kestrel limit. Customer chose a bank transfer for the rest."),
    "wrong_amount_of_cash_received": (["ATM dispensed wrong amount", "Short cash from ATM"],
        "Raised an ATM claim (ref {ref}) with the operator for the {city} withdrawal of {amount}. Explained most claims settle "
        "within 10 working days, some up to 45; refund will follow once confirmed."),
    "card_payment_fee_charged": (["Fee on card payment", "Unexpected card payment fee"],
        "The fee was the 1% weekend markup on a {currency} payment at {merchant} made on a Saturday. Explained when it applies "
        "on the {plan} plan; fee correct, no refund."),
    "transfer_not_received_by_recipient": (["Transfer not received", "Recipient hasn't got payment"],
        "Transfer of {amount} shows Completed. Sent the customer the payment receipt with the reference and asked the recipient "
        "to check with their bank; opened a trace (ref {ref}) in case it doesn't appear."),
    "supported_cards_and_currencies": (["Top-up card accepted?", "Amex top-up question"],
        "Confirmed we accept Visa and Mastercard debit/credit cards in the customer's name, not Amex or prepaid cards; UK/EEA "
        "debit cards are free, other cards 1%."),
    "getting_virtual_card": (["Virtual card request", "How to get virtual card"],
        "Guided the customer to Cards > + > Virtual card; card created instantly and added to their phone wallet."),
    "card_acceptance": (["Where card is accepted", "Card acceptance question"],
        "Confirmed the {card} works wherever Visa is accepted in 150+ countries; mentioned some fuel pumps, toll roads and "
        "car rental firms may not accept debit cards."),
    "top_up_reverted": (["Top-up reverted", "Top-up money disappeared"],
        "Top-up of {amount} was reverted by the card issuer after initial approval. Explained the money goes back to the card "
        "within 3-7 working days and advised not to retry until then."),
    "balance_not_updated_after_cheque_or_cash_deposit": (["Cheque not showing", "Cash deposit not in balance"],
        "Cheque paid in by photo on a {days}-day-old request; it clears by 23:59 the next working day and is now showing in the "
        "balance. Confirmed the cheque image was accepted."),
    "card_payment_not_recognised": (["Unrecognised card payment", "Possible fraud on card"],
        "Customer didn't recognise {amount} at {merchant}. Froze and cancelled the {card}, ordered a free replacement and raised a "
        "fraud dispute (ref {ref}); provisional refund issued."),
    "edit_personal_details": (["Change of address", "Update contact details"],
        "Customer updated the address in Profile > Personal details; confirmed the new phone number with a code. No documents "
        "needed."),
    "why_verify_identity": (["Why ID check needed", "Use account before verification"],
        "Explained that identity verification is required under the Money Laundering Regulations and that the account can't "
        "receive money or make payments until it's complete."),
    "unable_to_verify_identity": (["Identity verification failing", "Can't pass ID check"],
        "Three attempts failed because of glare on the document. Moved the application to manual review; the customer uploaded "
        "a clearer photo and was verified within 24 hours."),
    "get_physical_card": (["Where is my PIN", "PIN not received"],
        "Explained PINs are not posted; customer viewed it in Cards > Show PIN after activating the card."),
    "visa_or_mastercard": (["Visa or Mastercard?", "Card network question"],
        "Confirmed personal cards are Visa debit and business cards are Mastercard; the network can't be chosen."),
    "topping_up_by_card": (["How to top up by card", "Card top-up help"],
        "Walked the customer through Home > Add money > Card and the 3-D Secure check; the {amount} top-up arrived instantly."),
    "disposable_card_limits": (["Disposable card limits", "How many disposable cards"],
        "Explained disposable cards: up to 5 a day, one payment each up to GBP 3,000, not for subscriptions or deposits. "
        "Customer is on {plan}, which includes them."),
    "compromised_card": (["Card compromised", "Card details leaked"],
        "Cancelled the compromised {card} and ordered a free replacement with new details; reviewed transactions and disputed "
        "one unauthorised payment (ref {ref}). Reminded to update saved card details."),
    "atm_support": (["Which ATMs work", "ATM locations"],
        "Confirmed any ATM with the Visa or Plus logo works and explained the {plan} free allowance of {atm_allowance} per month."),
    "direct_debit_payment_not_recognised": (["Unknown Direct Debit", "Direct Debit dispute"],
        "Direct Debit of {amount} from {merchant} was not authorised by the customer. Claimed an immediate refund under the "
        "Direct Debit Guarantee and cancelled the mandate."),
    "passcode_forgotten": (["Forgot app passcode", "Locked out of app"],
        "Guided the customer through Forgot passcode: SMS code and selfie video. New passcode set and access restored."),
    "declined_cash_withdrawal": (["ATM withdrawal declined", "Can't withdraw cash"],
        "Customer had reached the GBP 500 per 24h ATM limit. Explained the limit; the customer withdrew the rest the next day."),
    "pending_card_payment": (["Card payment pending", "Payment stuck pending"],
        "Payment of {amount} to {merchant} is an authorisation waiting to be collected; explained it completes in 1-3 working "
        "days or is released after 7 days (31 for hotels/car hire)."),
    "lost_or_stolen_phone": (["Phone stolen", "Lost phone - secure account"],
        "Froze all cards and signed out the lost device. Customer reinstalled the app on a new phone and verified with a selfie "
        "video; cards unfrozen afterwards."),
    "request_refund": (["Refund request", "Wants money back from merchant"],
        "Advised contacting {merchant} first; as the goods never arrived and the merchant didn't respond, raised a chargeback "
        "(ref {ref}) for {amount}. Explained it can take up to 90 days."),
    "declined_transfer": (["Transfer declined", "Can't send transfer"],
        "Transfer of {amount} was held by a security check. Customer answered the payment questions in chat, check cleared and "
        "the transfer was resent successfully."),
    "Refund_not_showing_up": (["Refund not showing", "Merchant refund missing"],
        "{merchant} issued the refund {days} days ago. Asked the customer to get the ARN from the merchant; refund of {amount} "
        "arrived during follow-up."),
    "declined_card_payment": (["Card payment declined", "Card declined in shop"],
        "Payment at {merchant} was declined by a security check; customer confirmed it was them in chat and the retry succeeded."),
    "pending_transfer": (["Transfer pending", "Transfer stuck pending"],
        "First payment to a new recipient was held for checks (up to 24 hours). Reviewed and released it; transfer of {amount} "
        "completed."),
    "terminate_account": (["Close account", "Account closure request"],
        "Explained the closure steps: move every balance out, cancel the {plan} plan, then Profile > Close account; records are "
        "kept for 5 years. Customer will close the account themselves once the remaining balance has been moved."),
    "card_swallowed": (["ATM kept card", "Card retained by ATM"],
        "Card retained by an ATM in {city}. Cancelled it as retained by ATM and ordered a free replacement; no cash was "
        "taken, so no withdrawal claim needed."),
    "transaction_charged_twice": (["Charged twice", "Duplicate payment"],
        "One of the two {amount} charges at {merchant} was a pending duplicate authorisation; it dropped off within 7 days. "
        "Followed up to confirm only one charge remained."),
    "verify_source_of_funds": (["Source of funds request", "Proof of funds needed"],
        "Customer uploaded 3 payslips and 3 months of statements in Profile > Documents; reviewed within 2 working days and "
        "the account restriction was lifted."),
    "transfer_timing": (["Transfer timing question", "How long will transfer take"],
        "Explained timings: UK Faster Payments seconds (max 2 hours), SEPA up to 1 working day, international 1-3 working days "
        "(up to 5). Customer's {currency} transfer falls in the international range."),
    "reverted_card_payment?": (["Card payment reverted", "Payment reversed"],
        "{merchant} cancelled the authorisation of {amount}, so the money returned to the balance. Advised the customer to pay "
        "again or ask the merchant to retry."),
    "change_pin": (["Change PIN", "How to change PIN"],
        "Explained the PIN can be changed at any UK ATM with PIN services (no Help Point visit needed) and viewed in Cards > "
        "Show PIN."),
    "beneficiary_not_allowed": (["Beneficiary not allowed", "Can't add recipient"],
        "Confirmation of Payee returned no match for the recipient's name. Customer checked the details with the recipient, "
        "corrected the name and the payment went through."),
    "transfer_fee_charged": (["Fee on transfer", "Recipient got less than sent"],
        "International transfer fee of GBP 1.50 was correct for the {plan} plan; the shortfall at the recipient's end was an "
        "intermediary bank charge on the SWIFT route. Mentioned the International Transfer Bundle."),
    "receiving_money": (["How to receive money", "Receive salary in account"],
        "Showed Home > Account details (sort code/account number and IBAN) and explained incoming payments are free, "
        "including in {currency}."),
    "failed_transfer": (["Transfer failed", "Transfer returned"],
        "Receiving bank rejected the transfer of {amount} (account closed). Money returned to the balance within 2 working days "
        "and the fee was refunded; customer to get new details from the recipient."),
    "transfer_into_account": (["How to add money by transfer", "Bank transfer to Kestrel"],
        "Gave the customer their account details (Home > Account details); a Faster Payment of {amount} from their other bank "
        "arrived in minutes."),
    "verify_top_up": (["Top-up verification code", "Verify top-up card"],
        "Explained the small charge with the 4-digit code shown as KESTREL*XXXX in the card issuer's app; customer entered the "
        "code and the card was verified and the charge refunded."),
    "getting_spare_card": (["Order spare card", "Additional card request"],
        "Ordered a spare card (GBP 5 on {plan}; free on Premium/Metal). For the customer's child, explained the free Kestrel "
        "Junior account instead."),
    "top_up_by_cash_or_cheque": (["Top up with cash or cheque", "Cash deposit question"],
        "Explained Post Office cash deposits (GBP 1.50 each, up to GBP 1,000) and cheque pay-in by photo (up to GBP 1,000, cleared "
        "by 23:59 next working day)."),
    "order_physical_card": (["Order physical card", "Card cost question"],
        "Ordered the customer's first physical card (free, standard delivery to {city}); explained express delivery and the "
        "Metal card option."),
    "virtual_card_not_working": (["Virtual card declined", "Virtual card not working"],
        "Payment at {merchant} was a hotel deposit, which virtual cards can't be used for. Advised using the physical {card} "
        "for this merchant."),
    "wrong_exchange_rate_for_cash_withdrawal": (["Bad rate on ATM withdrawal", "ATM FX rate complaint"],
        "Customer accepted the ATM's own conversion in {city}. Explained to decline the ATM's conversion; the rate and fee were "
        "the operator's, so nothing for us to refund."),
    "get_disposable_virtual_card": (["Disposable card request", "What are disposable cards"],
        "Explained disposable cards are included on Plus, Premium and Metal; customer is on {plan} and created one under Cards "
        "> + > Disposable card."),
    "top_up_failed": (["Top-up failed", "Top-up declined"],
        "Top-up failed because 3-D Secure wasn't completed with the card issuer. Customer retried and completed the check; "
        "top-up of {amount} succeeded."),
    "balance_not_updated_after_bank_transfer": (["Incoming transfer not showing", "Bank transfer not arrived"],
        "Incoming payment of {amount} arrived under the wrong reference and was held; matched it to the customer and credited "
        "the balance."),
    "cash_withdrawal_not_recognised": (["Unrecognised ATM withdrawal", "Cash withdrawal not mine"],
        "Cancelled the {card} and ordered a free replacement; raised an ATM fraud claim (ref {ref}) for the {amount} withdrawal "
        "in {city} and issued a provisional refund."),
    "exchange_charge": (["Exchange fee question", "Fee for currency exchange"],
        "Explained the {plan} plan's fee-free exchange allowance ({fx_allowance}/month), the 0.5% fair usage fee and the 1% "
        "weekend markup; mentioned the FX Pack."),
    "top_up_by_card_charge": (["Card top-up fee", "Fee for topping up"],
        "Explained UK/EEA debit card top-ups are free and credit cards or non-UK/EEA cards cost 1%; suggested a bank transfer, "
        "which is free."),
    "activate_my_card": (["Activate card", "Card activation help"],
        "Guided the customer through Cards > Activate using the 6-digit code on the card letter; reminded to make a "
        "chip-and-PIN payment first."),
    "cash_withdrawal_charge": (["ATM fee charged", "Fee on cash withdrawal"],
        "Customer had used the {plan} plan's {atm_allowance} free ATM allowance this month, so the 2% fee (min GBP 1) applied. "
        "Fee correct; explained where to see the allowance (Cards > Limits)."),
    "card_about_to_expire": (["Card expiring", "Replacement for expiring card"],
        "Card expires at the end of next month; renewal card was already dispatched free of charge. Explained to activate it "
        "on arrival."),
    "apple_pay_or_google_pay": (["Apple Pay / Google Pay setup", "Add card to phone wallet"],
        "Helped the customer add the {card} to their phone wallet from Cards; explained top-ups by Apple Pay/Google Pay "
        "aren't supported."),
    "verify_my_identity": (["Identity verification steps", "How to verify ID"],
        "Explained Profile > Verify identity (photo ID plus selfie video); customer completed it during the contact and was "
        "verified within minutes."),
    "country_support": (["Supported countries", "Moving abroad - account"],
        "Confirmed we serve residents of the UK, the EEA and Switzerland; the customer is moving within the EEA, so the "
        "account stays open after updating the address."),
}

# Optional second sentences added to some resolutions (light per-case variation)
CLOSING_NOTES: list[str] = [
    "Customer confirmed the issue is resolved.",
    "Sent the related help article by email.",
    "Customer was happy with the explanation.",
    "No further action needed.",
    "Added a note to the customer profile.",
    "Customer thanked us for the quick help.",
    "Followed up after 2 days; customer confirmed all fine.",
    "Offered a callback if anything else comes up.",
]

# ------------------------------------------------------------------ interactions

REPLY_EN = "Hi {first}, thanks for getting in touch. {answer}\n{agent}, Kestrel Support"
REPLY_SUMMARY_EN = "Hi {first}, here is a summary of what we discussed today. {answer}\n{agent}, Kestrel Support"
REPLY_ZH = "{first}您好，感谢您联系 Kestrel。{answer} 如有其他问题，欢迎随时联系我们。\n{agent}，Kestrel 客服"
RECHECK_EN = "Checked again for {first}: {resolution}"

FOLLOW_UPS_OK: list[str] = [
    "Thanks, that worked!", "Perfect, all sorted now. Thank you.", "Great, thanks for the quick help.",
    "That's done, cheers.", "Thank you, I can see it now.",
]
FOLLOW_UPS_AGAIN: list[str] = [
    "It still isn't showing, could you check again please?", "Sorry, I'm still having the same problem.",
    "I tried that but it didn't work. Can you look again?",
]
FOLLOW_UPS_ZH: list[str] = ["好的，已经解决了，谢谢！", "明白了，谢谢你们的帮助。", "收到，非常感谢。"]

PII_TEMPLATES: list[str] = [
    "You can reach me on {phone} or at {email}.",
    "My card number is {card} if you need it.",
    "Please call me back on {phone}, I'm free after 5pm.",
    "The card is {card}, registered to {email}.",
    "My email is {email} and my mobile is {phone}.",
]

# Contacts that never became a case:
# (weight, channel, direction, sender: "agent" | "bot" | None, only for plans or None, texts)
STANDALONE: list[tuple[int, str, str, str | None, tuple[str, ...] | None, list[str]]] = [
    (30, "phone", "outbound", "agent", ("Standard", "Plus"), [
        "Outbound call: offered {first} a 1-month free trial of the Premium plan. Customer will think about it.",
        "Outbound call: explained the Premium plan benefits (unlimited weekday exchange, GBP 600 free ATM withdrawals). {first} accepted the free trial.",
        "Outbound call: no answer, left a voicemail about the Premium plan trial.",
    ]),
    (20, "email", "outbound", "bot", None, [
        "Hi {first}, your new Kestrel card is on its way. Activate it in Cards when it arrives.",
        "Hi {first}, your FX Pack expires in 3 days. Exchange before then to use your fee-free allowance.",
        "Hi {first}, your monthly statement is ready under Home > Statements.",
        "Hi {first}, planning a trip? Single-trip travel insurance is GBP 11.99 for up to 31 days.",
    ]),
    (25, "chat", "inbound", "agent", None, [
        "Just wanted to say the new savings vault feature is great!", "Is the app down? It won't load for me.",
        "Do you have a Help Point in Manchester?", "Can I get a statement for my mortgage application?",
        "Hi, is there a student discount on Premium?", "The app keeps logging me out.",
    ]),
    (15, "web", "inbound", None, None, [
        "Feedback form: the exchange screen is really easy to use, thanks.",
        "Feedback form: please add dark mode to the web banking site.",
        "Feedback form: it took too long to reach someone on the phone today.",
    ]),
    (10, "visit", "inbound", "agent", None, [
        "Walk-in at the {help_point} Help Point: {first} asked for a demo of the app's savings vaults and round-ups. Showed how to set them up; no case needed.",
        "Walk-in at the {help_point} Help Point: {first} picked up a replacement card ordered by phone and activated it with our help.",
    ]),
]
