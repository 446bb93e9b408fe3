/**
 * Labelled queries for measuring similar-case search over the resolved support tickets in
 * `demo-data.ts` (T-1001 to T-1049). Each query is written the way a customer would type it in a
 * chat, as a paraphrase of the situation that does not reuse the target ticket's wording (no
 * brands, carriers, amounts, product names or order numbers). `relevant` lists the past cases a
 * careful human agent would pick for the query, best first.
 */
export interface LabelledQuery {
  /** What a customer would type, in their own words. */
  query: string
  /** The resolved ticket(s) a good search must return for this query; the first is the best. */
  relevant: readonly string[]
}

export const retrievalQueries: readonly LabelledQuery[] = [
  {
    query:
      'I mailed back some sneakers almost a month ago and you guys got them, but the money still ' +
      "isn't back on my credit card. what's the holdup?",
    relevant: ['T-1001', 'T-1002'],
  },
  {
    query: 'returned my stuff weeks ago and still no money back. where is it??',
    relevant: ['T-1001', 'T-1002'],
  },
  {
    query:
      'My bank swapped out my card after some dodgy transactions got flagged, and now the money ' +
      'you sent back for my coffee mill is nowhere to be found. Did it go to the old card?',
    relevant: ['T-1002'],
  },
  {
    query:
      'I stopped my order before it went out and you said it was all sorted, but the money has ' +
      'been frozen in my online payment app for over a week',
    relevant: ['T-1003'],
  },
  {
    query:
      'We sent back a bunch of office headphones and were told weeks ago it was okayed, but our ' +
      "bookkeeping can't find the money on the company card anywhere",
    relevant: ['T-1004'],
  },
  {
    query:
      'got a message saying my money was sent back less than a week ago but my banking app shows ' +
      'zilch. is something messed up on your end?',
    relevant: ['T-1005'],
  },
  {
    query: 'charged me twice??',
    relevant: ['T-1006', 'T-1009', 'T-1007'],
  },
  {
    query:
      'I see the same amount come out of my account two times within an hour of each other but I ' +
      'only bought one thing. can I get the extra back?',
    relevant: ['T-1006', 'T-1009'],
  },
  {
    query:
      'our accounts team spotted that the company card got hit for the same bill two times on ' +
      'one day',
    relevant: ['T-1007', 'T-1006'],
  },
  {
    query: 'I changed my card info and a couple days later you charged me for my membership again',
    relevant: ['T-1008'],
  },
  {
    query:
      'my phone wallet shows the same payment listed two times and one says processing. did I ' +
      'pay double??',
    relevant: ['T-1009'],
  },
  {
    query:
      "I'm not at my old company anymore and can't check that work mail, which is the one tied " +
      'to my profile. can you swap it to my own gmail?',
    relevant: ['T-1010'],
  },
  {
    query:
      'every time i tap the confirm button to update my email address it tells me the link is no ' +
      'good anymore',
    relevant: ['T-1011'],
  },
  {
    query:
      'Our business changed its name and now all of us have new work addresses. How do we move ' +
      "everybody's accounts across without them starting from scratch?",
    relevant: ['T-1012'],
  },
  {
    query: 'can i use a different e-mail to get into my profile?',
    relevant: ['T-1010', 'T-1011'],
  },
  {
    query:
      'the bedside light I bought showed up with the bottom snapped in half and the package was ' +
      'all squashed',
    relevant: ['T-1013'],
  },
  {
    query:
      "the arm on my display mount came bent so everything tilts. I'd prefer you just send " +
      "another one, I don't want a refund",
    relevant: ['T-1014'],
  },
  {
    query:
      'a couple of the cups in my glassware set were in pieces when I opened it, the delivery ' +
      'guy left it on the porch during a storm',
    relevant: ['T-1015'],
  },
  {
    query:
      'one of the wooden sides of my shelving unit is cracked right down the center. can you ' +
      'send just that piece, not an entire new one?',
    relevant: ['T-1016'],
  },
  {
    query:
      "my package tracker hasn't budged in almost a week, it's just sitting at some sorting " +
      'center',
    relevant: ['T-1017'],
  },
  {
    query:
      "we need this gear for a staff workshop early next week and the courier page says they've " +
      'only printed the sticker, nothing picked up yet',
    relevant: ['T-1018'],
  },
  {
    query:
      'I ordered a kitchen appliance to be sent overseas about 20 days ago and the delivery ' +
      "company just says it's paused. no one will explain",
    relevant: ['T-1019'],
  },
  {
    query:
      "the delivery company won't hand over my box until I pay some customs fee?? is that on me " +
      'or on you',
    relevant: ['T-1019'],
  },
  {
    query:
      'oops I accidentally bought the same stuff twice earlier, can you scrap the second one ' +
      'before it goes out?',
    relevant: ['T-1020'],
  },
  {
    query: 'hit the buy button by accident a few mins ago, please undo it',
    relevant: ['T-1020'],
  },
  {
    query:
      "changed my mind about my purchase but it's apparently been sent out already. am I stuck " +
      'with it now?',
    relevant: ['T-1021'],
  },
  {
    query:
      "half of what we bought already showed up, that's fine, but can you stop the rest that " +
      "hasn't left your warehouse yet",
    relevant: ['T-1022'],
  },
  {
    query:
      "we're relocating to a different level in our building, can the delivery go to the new " +
      'unit upstairs instead?',
    relevant: ['T-1023'],
  },
  {
    query:
      'I flipped the digits in my street number when I checked out and the mail carrier already ' +
      'has the package. can it still get to me?',
    relevant: ['T-1024'],
  },
  {
    query:
      "I'm heading to my mom and dad's for christmas, could you send my stuff there rather than " +
      'to my place?',
    relevant: ['T-1025'],
  },
  {
    query: "need to change where my order is getting delivered, it hasn't shipped yet",
    relevant: ['T-1025', 'T-1023'],
  },
  {
    query:
      'I ordered a dark blue jacket in a smaller size and what came is a totally different color ' +
      'and way too big',
    relevant: ['T-1026'],
  },
  {
    query:
      'you sent me the cord for an iphone but I needed the one with the same plug on both ends ' +
      'for my computer',
    relevant: ['T-1027'],
  },
  {
    query:
      'we got the older generation of the device for our entire shipment, not the newer version ' +
      'our PO asked for',
    relevant: ['T-1028'],
  },
  {
    query: "this isn't what i picked at all, you sent something else",
    relevant: ['T-1026', 'T-1027'],
  },
  {
    query: "tracking claims it arrived but there's no box anywhere??",
    relevant: ['T-1030'],
  },
  {
    query:
      "the courier says it was dropped off a couple of days ago but it's not at my place and " +
      "I've asked the folks next door, nobody has it",
    relevant: ['T-1030'],
  },
  {
    query:
      "my package came but the glass film for my phone display wasn't in there, just the two " +
      'covers',
    relevant: ['T-1029'],
  },
  {
    query:
      "we counted what came off the truck and we're two screens short of what the paperwork says " +
      'we should have',
    relevant: ['T-1031'],
  },
  {
    query:
      "your discount coupon keeps getting rejected when I pay, but the newsletter says it's good " +
      'until the weekend',
    relevant: ['T-1032'],
  },
  {
    query: "coupon won't work when I try to pay??",
    relevant: ['T-1032'],
  },
  {
    query:
      'I spaced on entering my first-order coupon when I checked out last night. any way to get ' +
      'it now?',
    relevant: ['T-1033'],
  },
  {
    query:
      "used my buddy's invite link discount, got the money off but still paid for delivery even " +
      'though that was supposed to be free',
    relevant: ['T-1034'],
  },
  {
    query:
      'I moved up to the paid tier halfway through so why did I get billed for the whole thing?',
    relevant: ['T-1035'],
  },
  {
    query:
      "our yearly bill jumped by 20% with zero warning and it's counting way more users than we " +
      'actually have',
    relevant: ['T-1036'],
  },
  {
    query: 'I went back to the no-cost version weeks ago and you still took money from me today',
    relevant: ['T-1037'],
  },
  {
    query: 'why am I still paying for premium after switching back to basic??',
    relevant: ['T-1037'],
  },
  {
    query:
      'our accountants checking the books need a proper tax bill for that purchase showing our ' +
      'official business name and registration number',
    relevant: ['T-1038', 'T-1040'],
  },
  {
    query: 'can I get a bill with my business info on it for tax purposes?',
    relevant: ['T-1038', 'T-1040'],
  },
  {
    query:
      'can you send me a single summary of everything I bought from you over the last 3 months? ' +
      'need it for a work reimbursement',
    relevant: ['T-1039'],
  },
  {
    query:
      "my bookkeeper says the proof of purchase you gave me is no good because it doesn't have " +
      "my firm's name or location on it",
    relevant: ['T-1040', 'T-1038'],
  },
  {
    query: "got a new phone and my code generator app came up empty, now I can't get in",
    relevant: ['T-1041'],
  },
  {
    query: "locked out bc my 2fa isn't working on my new device",
    relevant: ['T-1041'],
  },
  {
    query:
      "our finance admin misplaced her hardware security key and can't get into the account. " +
      "she's the only one who handles payments",
    relevant: ['T-1042'],
  },
  {
    query: 'the text message codes for signing in stopped coming after I changed phone providers',
    relevant: ['T-1043'],
  },
  {
    query:
      'somehow I ended up with 2 profiles. can you get rid of the one on my previous email and ' +
      'keep this one?',
    relevant: ['T-1044'],
  },
  {
    query:
      "I'm done and want my profile wiped, but can I grab a record of my past purchases before " +
      'you do that?',
    relevant: ['T-1045'],
  },
  {
    query: 'please erase my data and shut my account down',
    relevant: ['T-1045', 'T-1046'],
  },
  {
    query: "I can't remove my profile, the option for it is disabled and won't let me click",
    relevant: ['T-1046'],
  },
  {
    query:
      'my bank card goes through fine at other stores but your payment page refuses it every ' +
      'time, no clue why',
    relevant: ['T-1047', 'T-1049'],
  },
  {
    query: "can't pay, card just gets refused??",
    relevant: ['T-1047', 'T-1049'],
  },
  {
    query:
      "our company credit card has a per-purchase cap that's lower than the yearly plan price so " +
      'it bounced. what else can we do?',
    relevant: ['T-1048'],
  },
  {
    query:
      'tried paying a few times and got rejected every time, yet my bank says they have no ' +
      'record of any of it',
    relevant: ['T-1049'],
  },
]
