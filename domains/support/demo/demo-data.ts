import type { DemoDataSet } from './demo-types.ts'

/**
 * Demo data for the customer-support reference domain. Days are relative to the moment the data is
 * loaded. The verification scenario: Maya Okafor (pro) writes about order #4429, whose refund was
 * issued 14 days ago but never reached her bank (open ticket T-1099); her order #4356 ($450.00,
 * delivered a week ago, nothing refunded) is over the self-serve limit, so refunding it in full
 * needs staff. The resolved tickets are the library of past cases that similar-case search runs
 * over.
 */
export const demoData: DemoDataSet = {
  customers: [
    {
      email: 'maya.okafor@example.com',
      name: 'Maya Okafor',
      tier: 'pro',
      authSubject: 'demo|maya-okafor',
    },
    {
      email: 'daniel.reyes@example.org',
      name: 'Daniel Reyes',
      tier: 'free',
      authSubject: 'demo|daniel-reyes',
    },
    {
      email: 'priya.raman@example.net',
      name: 'Priya Raman',
      tier: 'enterprise',
      authSubject: 'demo|priya-raman',
    },
    {
      email: 'tomas.lindqvist@example.com',
      name: 'Tomas Lindqvist',
      tier: 'pro',
      authSubject: 'demo|tomas-lindqvist',
    },
    {
      email: 'grace.achterberg@example.org',
      name: 'Grace Achterberg',
      tier: 'free',
      authSubject: 'demo|grace-achterberg',
    },
    {
      email: 'hiroshi.tanaka@example.com',
      name: 'Hiroshi Tanaka',
      tier: 'enterprise',
      authSubject: 'demo|hiroshi-tanaka',
    },
    {
      email: 'leila.haddad@example.net',
      name: 'Leila Haddad',
      tier: 'pro',
      authSubject: 'demo|leila-haddad',
    },
    {
      email: 'owen.brennan@example.com',
      name: 'Owen Brennan',
      tier: 'free',
      authSubject: 'demo|owen-brennan',
    },
    {
      email: 'sofia.marchetti@example.org',
      name: 'Sofia Marchetti',
      tier: 'enterprise',
      authSubject: 'demo|sofia-marchetti',
    },
    {
      email: 'kwame.mensah@example.com',
      name: 'Kwame Mensah',
      tier: 'pro',
      authSubject: 'demo|kwame-mensah',
    },
    {
      email: 'ines.duarte@example.net',
      name: 'Ines Duarte',
      tier: 'free',
      authSubject: 'demo|ines-duarte',
    },
    {
      email: 'ruth.feldman@example.org',
      name: 'Ruth Feldman',
      tier: 'free',
      authSubject: 'demo|ruth-feldman',
    },
  ],
  orders: [
    {
      publicId: '4429',
      customerEmail: 'maya.okafor@example.com',
      placedDaysAgo: 30,
      amountCents: 21_900,
      status: 'refunded',
    },
    {
      publicId: '4380',
      customerEmail: 'maya.okafor@example.com',
      placedDaysAgo: 95,
      amountCents: 4590,
      status: 'delivered',
    },
    {
      // Refundable and over the self-serve limit: a refund of it in full needs a support lead.
      publicId: '4356',
      customerEmail: 'maya.okafor@example.com',
      placedDaysAgo: 10,
      amountCents: 45_000,
      status: 'delivered',
    },
    {
      publicId: '4102',
      customerEmail: 'daniel.reyes@example.org',
      placedDaysAgo: 70,
      amountCents: 6450,
      status: 'refunded',
    },
    {
      publicId: '4128',
      customerEmail: 'daniel.reyes@example.org',
      placedDaysAgo: 150,
      amountCents: 8800,
      status: 'delivered',
    },
    {
      publicId: '4135',
      customerEmail: 'daniel.reyes@example.org',
      placedDaysAgo: 120,
      amountCents: 14_900,
      status: 'delivered',
    },
    {
      publicId: '4340',
      customerEmail: 'daniel.reyes@example.org',
      placedDaysAgo: 9,
      amountCents: 5200,
      status: 'shipped',
    },
    {
      publicId: '4180',
      customerEmail: 'priya.raman@example.net',
      placedDaysAgo: 60,
      amountCents: 312_000,
      status: 'delivered',
    },
    {
      publicId: '4182',
      customerEmail: 'priya.raman@example.net',
      placedDaysAgo: 85,
      amountCents: 192_000,
      status: 'delivered',
    },
    {
      publicId: '4372',
      customerEmail: 'priya.raman@example.net',
      placedDaysAgo: 20,
      amountCents: 640_000,
      status: 'delivered',
    },
    {
      publicId: '4225',
      customerEmail: 'tomas.lindqvist@example.com',
      placedDaysAgo: 45,
      amountCents: 41_500,
      status: 'delivered',
    },
    {
      publicId: '4230',
      customerEmail: 'tomas.lindqvist@example.com',
      placedDaysAgo: 100,
      amountCents: 19_900,
      status: 'delivered',
    },
    {
      publicId: '4150',
      customerEmail: 'grace.achterberg@example.org',
      placedDaysAgo: 210,
      amountCents: 7400,
      status: 'cancelled',
    },
    {
      publicId: '4152',
      customerEmail: 'grace.achterberg@example.org',
      placedDaysAgo: 209,
      amountCents: 6800,
      status: 'delivered',
    },
    {
      publicId: '4255',
      customerEmail: 'hiroshi.tanaka@example.com',
      placedDaysAgo: 50,
      amountCents: 61_000,
      status: 'delivered',
    },
    {
      publicId: '4260',
      customerEmail: 'hiroshi.tanaka@example.com',
      placedDaysAgo: 110,
      amountCents: 124_000,
      status: 'refunded',
    },
    {
      publicId: '4187',
      customerEmail: 'leila.haddad@example.net',
      placedDaysAgo: 90,
      amountCents: 34_200,
      status: 'refunded',
    },
    {
      publicId: '4240',
      customerEmail: 'leila.haddad@example.net',
      placedDaysAgo: 130,
      amountCents: 5600,
      status: 'delivered',
    },
    {
      publicId: '4246',
      customerEmail: 'leila.haddad@example.net',
      placedDaysAgo: 35,
      amountCents: 12_900,
      status: 'delivered',
    },
    {
      publicId: '4120',
      customerEmail: 'owen.brennan@example.com',
      placedDaysAgo: 75,
      amountCents: 2740,
      status: 'delivered',
    },
    {
      publicId: '4145',
      customerEmail: 'owen.brennan@example.com',
      placedDaysAgo: 140,
      amountCents: 4200,
      status: 'delivered',
    },
    {
      publicId: '4160',
      customerEmail: 'owen.brennan@example.com',
      placedDaysAgo: 55,
      amountCents: 3300,
      status: 'delivered',
    },
    {
      publicId: '4365',
      customerEmail: 'owen.brennan@example.com',
      placedDaysAgo: 8,
      amountCents: 3900,
      status: 'delivered',
    },
    {
      publicId: '4170',
      customerEmail: 'sofia.marchetti@example.org',
      placedDaysAgo: 160,
      amountCents: 235_000,
      status: 'delivered',
    },
    {
      publicId: '4198',
      customerEmail: 'sofia.marchetti@example.org',
      placedDaysAgo: 115,
      amountCents: 78_000,
      status: 'delivered',
    },
    {
      publicId: '4205',
      customerEmail: 'sofia.marchetti@example.org',
      placedDaysAgo: 70,
      amountCents: 480_000,
      status: 'delivered',
    },
    {
      publicId: '4378',
      customerEmail: 'sofia.marchetti@example.org',
      placedDaysAgo: 40,
      amountCents: 215_000,
      status: 'refunded',
    },
    {
      publicId: '4215',
      customerEmail: 'kwame.mensah@example.com',
      placedDaysAgo: 100,
      amountCents: 8999,
      status: 'cancelled',
    },
    {
      publicId: '4270',
      customerEmail: 'kwame.mensah@example.com',
      placedDaysAgo: 88,
      amountCents: 9500,
      status: 'delivered',
    },
    {
      publicId: '4361',
      customerEmail: 'kwame.mensah@example.com',
      placedDaysAgo: 6,
      amountCents: 7400,
      status: 'delivered',
    },
    {
      publicId: '4311',
      customerEmail: 'ines.duarte@example.net',
      placedDaysAgo: 45,
      amountCents: 3800,
      status: 'refunded',
    },
    {
      publicId: '4318',
      customerEmail: 'ines.duarte@example.net',
      placedDaysAgo: 60,
      amountCents: 15_600,
      status: 'delivered',
    },
    {
      publicId: '4385',
      customerEmail: 'ines.duarte@example.net',
      placedDaysAgo: 0,
      amountCents: 6700,
      status: 'placed',
    },
    {
      publicId: '4290',
      customerEmail: 'ruth.feldman@example.org',
      placedDaysAgo: 105,
      amountCents: 11_200,
      status: 'delivered',
    },
    {
      publicId: '4295',
      customerEmail: 'ruth.feldman@example.org',
      placedDaysAgo: 25,
      amountCents: 5800,
      status: 'delivered',
    },
    {
      publicId: '4298',
      customerEmail: 'ruth.feldman@example.org',
      placedDaysAgo: 18,
      amountCents: 4500,
      status: 'delivered',
    },
    {
      publicId: '4388',
      customerEmail: 'ruth.feldman@example.org',
      placedDaysAgo: 1,
      amountCents: 8200,
      status: 'placed',
    },
  ],
  tickets: [
    {
      publicId: 'T-1001',
      customerEmail: 'daniel.reyes@example.org',
      orderPublicId: '4102',
      category: 'refund_delay',
      summary:
        'I sent the running shoes from order #4102 back three weeks ago and the warehouse ' +
        "signed for them, but the $64.50 still isn't on my Chase Visa. How long is this " +
        'supposed to take?',
      resolution:
        'Confirmed the return was logged and the refund was issued 10 business days before the ' +
        'ticket. Sent the customer the ARN 74537604221100012345678 so Chase could trace the ' +
        'credit; Chase located it and the $64.50 posted to the card the next day.',
      status: 'resolved',
      createdDaysAgo: 40,
      resolvedDaysAgo: 38,
    },
    {
      publicId: 'T-1002',
      customerEmail: 'leila.haddad@example.net',
      orderPublicId: '4187',
      category: 'refund_delay',
      summary:
        'Customer says the $342 refund for the returned espresso grinder on order #4187 was ' +
        'confirmed 12 business days ago, yet her Barclays statement shows nothing. She wants ' +
        'to know whether it was ever actually sent.',
      resolution:
        'The processor showed the refund stuck as a pending reversal because Barclays had ' +
        'reissued her card after a fraud alert. Escalated to the billing team, who routed the ' +
        'credit to the replacement card. The customer confirmed receipt four days later and ' +
        'received a $15 goodwill credit for the wait.',
      status: 'resolved',
      createdDaysAgo: 62,
      resolvedDaysAgo: 56,
    },
    {
      publicId: 'T-1003',
      customerEmail: 'kwame.mensah@example.com',
      orderPublicId: '4215',
      category: 'refund_delay',
      summary:
        'I cancelled #4215 before it shipped and got the cancellation email, but the $89.99 ' +
        'has been sitting as pending in my PayPal wallet for 8 days now.',
      resolution:
        'Explained that PayPal holds refunds to card-funded payments for up to 10 business ' +
        'days. Pulled the PayPal refund reference number from the processor and shared it so ' +
        'the customer could raise it in the PayPal resolution centre. PayPal released the ' +
        'funds on day 9 and the customer confirmed.',
      status: 'resolved',
      createdDaysAgo: 90,
      resolvedDaysAgo: 89,
    },
    {
      publicId: 'T-1004',
      customerEmail: 'hiroshi.tanaka@example.com',
      orderPublicId: '4260',
      category: 'refund_delay',
      summary:
        'Our accounts payable team reconciled last month and the $992 refund for the eight ' +
        'conference headsets we returned from order #4260 is not on the corporate Amex. It was ' +
        'approved 15 business days ago.',
      resolution:
        'Escalated to billing, who found the card refund had failed because the single-use ' +
        'virtual card issued for that purchase order was closed after the first charge. ' +
        'Billing reissued the $992 by bank transfer with reference RF-20931, and the AP team ' +
        'matched it against the credit note two days later.',
      status: 'resolved',
      createdDaysAgo: 80,
      resolvedDaysAgo: 74,
    },
    {
      publicId: 'T-1005',
      customerEmail: 'ines.duarte@example.net',
      orderPublicId: '4311',
      category: 'refund_delay',
      summary:
        'The email says my refund for the phone case (#4311) was issued 6 days ago, but my ' +
        'Monzo app shows nothing at all. Did something go wrong?',
      resolution:
        'Explained that card refunds take 5 to 10 business days to reach the bank once issued ' +
        'and that day 6 was still inside that window, so no trace was needed yet. Set a ' +
        'follow-up for business day 10; the $38.00 arrived on day 8 and the customer closed ' +
        'the ticket herself.',
      status: 'resolved',
      createdDaysAgo: 30,
      resolvedDaysAgo: 26,
    },
    {
      publicId: 'T-1006',
      customerEmail: 'owen.brennan@example.com',
      orderPublicId: '4120',
      category: 'duplicate_charge',
      summary:
        'My bank statement shows two charges of $27.40 from you on the same afternoon, but I ' +
        'only placed one order (#4120). Please refund the extra one.',
      resolution:
        'The payment log showed the first attempt was an authorization that failed 3-D Secure ' +
        'and was voided, so only one charge was ever captured. Explained that the voided hold ' +
        'would drop off within 3 to 5 business days; it disappeared from his statement on day ' +
        '4.',
      status: 'resolved',
      createdDaysAgo: 74,
      resolvedDaysAgo: 70,
    },
    {
      publicId: 'T-1007',
      customerEmail: 'sofia.marchetti@example.org',
      orderPublicId: '4198',
      category: 'duplicate_charge',
      summary:
        'Finance flagged that the $780 for invoice INV-2291 on order #4198 was taken twice ' +
        'from our corporate Mastercard on the same day.',
      resolution:
        'Confirmed a genuine double capture caused by an automatic retry during a gateway ' +
        'timeout. Both captures were still unsettled, so the second $780 was voided before the ' +
        'nightly batch and never posted. Sent the void confirmation to their finance team and ' +
        'filed a payments incident.',
      status: 'resolved',
      createdDaysAgo: 113,
      resolvedDaysAgo: 112,
    },
    {
      publicId: 'T-1008',
      customerEmail: 'tomas.lindqvist@example.com',
      category: 'duplicate_charge',
      summary:
        'I was billed $29 for the Pro plan on the 1st and then again on the 3rd, right after I ' +
        'updated my card details.',
      resolution:
        'The card update had started a fresh billing cycle instead of updating the existing ' +
        'subscription. Voided the second $29 charge, restored the renewal date to the 1st, and ' +
        'reported the bug to the billing team with both charge ids.',
      status: 'resolved',
      createdDaysAgo: 65,
      resolvedDaysAgo: 63,
    },
    {
      publicId: 'T-1009',
      customerEmail: 'ruth.feldman@example.org',
      orderPublicId: '4290',
      category: 'duplicate_charge',
      summary:
        'Apple Pay lists the $112 for order #4290 twice, and one of the lines says pending. ' +
        'Have I paid for it twice?',
      resolution:
        'Explained that the pending line was the original authorization and the posted line ' +
        'was the actual capture, and that the bank removes the pending line once it ' +
        'reconciles. Sent her a screenshot of the single capture from our records; the pending ' +
        'entry cleared two days later.',
      status: 'resolved',
      createdDaysAgo: 103,
      resolvedDaysAgo: 100,
    },
    {
      publicId: 'T-1010',
      customerEmail: 'grace.achterberg@example.org',
      category: 'login_email_change',
      summary:
        'I left my job and can no longer open my old work inbox, so the sign-in links never ' +
        'reach me. Can you move my account to my personal address?',
      resolution:
        'Verified identity using the last four digits of the card on file and the billing ' +
        'postcode from her latest order. Changed the login email, signed out every existing ' +
        'session, and sent a confirmation notice to both the old and the new address.',
      status: 'resolved',
      createdDaysAgo: 300,
      resolvedDaysAgo: 298,
    },
    {
      publicId: 'T-1011',
      customerEmail: 'kwame.mensah@example.com',
      category: 'login_email_change',
      summary:
        'I tried to change my email in account settings, but the verification link says it has ' +
        'expired the moment I click it.',
      resolution:
        'The link was being pre-fetched and consumed by the email security scanner at his new ' +
        'employer. Sent a six-digit one-time code instead of a link, and the customer ' +
        'completed the email change on the first attempt.',
      status: 'resolved',
      createdDaysAgo: 170,
      resolvedDaysAgo: 169,
    },
    {
      publicId: 'T-1012',
      customerEmail: 'priya.raman@example.net',
      category: 'login_email_change',
      summary:
        'Our company rebranded and moved to a new email domain; 14 team members need their ' +
        'logins moved over without losing their history.',
      resolution:
        'Because the workspace signs in through SSO, asked their IT admin to update the email ' +
        'claim in the identity provider first. Then verified the new domain on the workspace ' +
        'and bulk-migrated the 14 seats; everyone signed in with the new addresses the same ' +
        'afternoon.',
      status: 'resolved',
      createdDaysAgo: 180,
      resolvedDaysAgo: 178,
    },
    {
      publicId: 'T-1013',
      customerEmail: 'maya.okafor@example.com',
      orderPublicId: '4429',
      category: 'damaged_item',
      summary:
        'The ceramic table lamp from order #4429 arrived with its base cracked clean through, ' +
        'and the box had a crushed corner. Photos attached.',
      resolution:
        'Sent a prepaid UPS return label. When the warehouse logged the returned lamp as ' +
        'damaged in transit, approved a full refund of $219.00 to the original card and filed ' +
        'a damage claim with UPS.',
      status: 'resolved',
      createdDaysAgo: 27,
      resolvedDaysAgo: 14,
    },
    {
      publicId: 'T-1014',
      customerEmail: 'daniel.reyes@example.org',
      orderPublicId: '4135',
      category: 'damaged_item',
      summary:
        "The monitor stand from #4135 arrived with one arm bent, and it won't hold my 27-inch " +
        "screen level. I'd rather have a replacement than my money back.",
      resolution:
        'Shipped a replacement arm assembly by express at no charge and told the customer to ' +
        'keep the bent part instead of returning it. The part was delivered two days later and ' +
        'he confirmed the stand now holds the screen.',
      status: 'resolved',
      createdDaysAgo: 118,
      resolvedDaysAgo: 113,
    },
    {
      publicId: 'T-1015',
      customerEmail: 'leila.haddad@example.net',
      orderPublicId: '4240',
      category: 'damaged_item',
      summary:
        'Two of the six wine glasses in order #4240 were shattered when I opened the parcel. ' +
        'DPD had left it on the doorstep in the rain.',
      resolution:
        'Reshipped two glasses from the same production batch so the set would match, packed ' +
        'in molded pulp inserts. Logged a damage claim against DPD with her photos and added a ' +
        'safe-place note to her delivery profile.',
      status: 'resolved',
      createdDaysAgo: 127,
      resolvedDaysAgo: 125,
    },
    {
      publicId: 'T-1016',
      customerEmail: 'ruth.feldman@example.org',
      orderPublicId: '4290',
      category: 'damaged_item',
      summary:
        'One side panel of the bookshelf from #4290 is split down the middle, like a forklift ' +
        "went through the box. I'd like just the panel replaced, not the whole shelf.",
      resolution:
        'Ordered a single replacement side panel from the supplier spare-parts stock and ' +
        'shipped it by UPS Ground, arriving five business days later. Added a note to the ' +
        'carrier scorecard about forklift damage on that route.',
      status: 'resolved',
      createdDaysAgo: 98,
      resolvedDaysAgo: 90,
    },
    {
      publicId: 'T-1017',
      customerEmail: 'owen.brennan@example.com',
      orderPublicId: '4145',
      category: 'shipping_delay',
      summary:
        "Tracking for #4145 hasn't changed in 6 days. It's been stuck on 'arrived at USPS " +
        "regional facility' since last Monday.",
      resolution:
        'Opened a USPS trace, which showed the parcel had been missorted to the wrong regional ' +
        'hub. It was rerouted and delivered three days later, and a $7 store credit was added ' +
        'for the delay.',
      status: 'resolved',
      createdDaysAgo: 133,
      resolvedDaysAgo: 130,
    },
    {
      publicId: 'T-1018',
      customerEmail: 'sofia.marchetti@example.org',
      orderPublicId: '4170',
      category: 'shipping_delay',
      summary:
        'Our order #4170 of 40 headsets is needed for a training event next Monday, and FedEx ' +
        'still shows "label created" after four business days.',
      resolution:
        'The warehouse confirmed the pallet missed the FedEx Freight pickup because the ' +
        'commercial invoice was missing. Upgraded the shipment to FedEx Priority Overnight at ' +
        'our cost; it arrived on Friday, ahead of the event.',
      status: 'resolved',
      createdDaysAgo: 155,
      resolvedDaysAgo: 152,
    },
    {
      publicId: 'T-1019',
      customerEmail: 'ines.duarte@example.net',
      orderPublicId: '4318',
      category: 'shipping_delay',
      summary:
        'I ordered the blender (#4318) to Portugal almost three weeks ago and DHL just says ' +
        'the shipment is on hold. Nobody tells me why.',
      resolution:
        'DHL was holding the parcel for unpaid import VAT of 18 euros. Explained that import ' +
        'duties and VAT are paid by the recipient under the shipping policy and sent the DHL ' +
        'payment link; the parcel was delivered two days after she paid.',
      status: 'resolved',
      createdDaysAgo: 40,
      resolvedDaysAgo: 36,
    },
    {
      publicId: 'T-1020',
      customerEmail: 'grace.achterberg@example.org',
      orderPublicId: '4150',
      category: 'cancellation',
      summary:
        'I placed #4150 by mistake about an hour ago, it is a duplicate of my basket from ' +
        'yesterday. Can you cancel it before it ships?',
      resolution:
        'The order was still in placed status, so it was cancelled before the warehouse picked ' +
        'it. The card authorization was voided rather than refunded, so no charge ever ' +
        'appeared on her statement.',
      status: 'resolved',
      createdDaysAgo: 210,
      resolvedDaysAgo: 209,
    },
    {
      publicId: 'T-1021',
      customerEmail: 'tomas.lindqvist@example.com',
      orderPublicId: '4225',
      category: 'cancellation',
      summary:
        'I want to cancel #4225, the $415 road bike helmet and lights bundle, but it already ' +
        'says shipped. Is it too late?',
      resolution:
        'The parcel was out for delivery the next morning, so a carrier intercept was not ' +
        'possible. Explained the 30-day return window for Pro customers; he decided to keep ' +
        'the bundle after it arrived and the ticket was closed.',
      status: 'resolved',
      createdDaysAgo: 44,
      resolvedDaysAgo: 43,
    },
    {
      publicId: 'T-1022',
      customerEmail: 'priya.raman@example.net',
      orderPublicId: '4180',
      category: 'cancellation',
      summary:
        'Please cancel the second half of split order #4180, the 20 docking stations that have ' +
        'not shipped. The first shipment of laptops is fine.',
      resolution:
        'Cancelled the unshipped docking stations and reissued the invoice for the shipped ' +
        'portion only. Because the order was on net-30 invoice terms, the purchase order ' +
        'balance was adjusted and no refund was needed.',
      status: 'resolved',
      createdDaysAgo: 58,
      resolvedDaysAgo: 57,
    },
    {
      publicId: 'T-1023',
      customerEmail: 'hiroshi.tanaka@example.com',
      orderPublicId: '4255',
      category: 'address_change',
      summary:
        'Our office is moving floors. Please redirect order #4255 to suite 1204 on the 12th ' +
        'floor before it leaves the warehouse.',
      resolution:
        'The order had not been dispatched yet, so the shipping address was updated and the ' +
        'new suite number confirmed on the warehouse manifest. It was delivered to the 12th ' +
        'floor on the original date.',
      status: 'resolved',
      createdDaysAgo: 49,
      resolvedDaysAgo: 48,
    },
    {
      publicId: 'T-1024',
      customerEmail: 'kwame.mensah@example.com',
      orderPublicId: '4270',
      category: 'address_change',
      summary:
        'I typed 14 instead of 41 as my house number on #4270 and Royal Mail already has it. ' +
        'Can you fix the address?',
      resolution:
        'Labels cannot be edited after dispatch, and Royal Mail would not amend the address in ' +
        'transit. The parcel was held at the local delivery office after the failed attempt, ' +
        'and the customer collected it with photo ID two days later.',
      status: 'resolved',
      createdDaysAgo: 87,
      resolvedDaysAgo: 84,
    },
    {
      publicId: 'T-1025',
      customerEmail: 'ruth.feldman@example.org',
      orderPublicId: '4295',
      category: 'address_change',
      summary:
        "I'll be at my parents' house for the holidays. Can order #4295 go there instead of my " +
        'apartment?',
      resolution:
        'Changed the shipping address before dispatch and ran it through address validation, ' +
        'which corrected a mistyped ZIP code. The parcel reached the new address three days ' +
        'later.',
      status: 'resolved',
      createdDaysAgo: 25,
      resolvedDaysAgo: 24,
    },
    {
      publicId: 'T-1026',
      customerEmail: 'leila.haddad@example.net',
      orderPublicId: '4246',
      category: 'wrong_item',
      summary:
        'I ordered the navy wool blazer in size 38 (#4246) and received a grey one in size 42.',
      resolution:
        'The warehouse confirmed a pick error caused by two bins with swapped labels. Sent the ' +
        'correct navy size 38 by express before collecting the wrong one, and included a ' +
        'prepaid return label for the grey blazer.',
      status: 'resolved',
      createdDaysAgo: 32,
      resolvedDaysAgo: 29,
    },
    {
      publicId: 'T-1027',
      customerEmail: 'owen.brennan@example.com',
      orderPublicId: '4160',
      category: 'wrong_item',
      summary:
        'The cable in #4160 is USB-C to Lightning, but I ordered USB-C to USB-C for my laptop.',
      resolution:
        'Since the item was under $40, told the customer to keep the wrong cable and sent the ' +
        'correct one at no charge. Confirmed delivery of the replacement two days later.',
      status: 'resolved',
      createdDaysAgo: 51,
      resolvedDaysAgo: 49,
    },
    {
      publicId: 'T-1028',
      customerEmail: 'sofia.marchetti@example.org',
      orderPublicId: '4205',
      category: 'wrong_item',
      summary:
        'We received 25 units of the M2 model instead of the M3 we specified on purchase order ' +
        '7781 for order #4205.',
      resolution:
        'Arranged a freight collection for the 25 wrong units and dispatched M3 units from the ' +
        'regional warehouse. Their receiving team signed for them four days later, and the ' +
        'purchase order was matched without an invoice change.',
      status: 'resolved',
      createdDaysAgo: 64,
      resolvedDaysAgo: 60,
    },
    {
      publicId: 'T-1029',
      customerEmail: 'daniel.reyes@example.org',
      orderPublicId: '4128',
      category: 'missing_item',
      summary:
        'Order #4128 says three items were delivered but the box only had the two phone cases, ' +
        'no screen protector.',
      resolution:
        'The dispatch weight matched all three items, so the protector had probably slipped ' +
        'under the packing paper; asked the customer to check again. He could not find it, so ' +
        'the missing screen protector was sent by first-class post and arrived two days later.',
      status: 'resolved',
      createdDaysAgo: 146,
      resolvedDaysAgo: 143,
    },
    {
      publicId: 'T-1030',
      customerEmail: 'tomas.lindqvist@example.com',
      orderPublicId: '4230',
      category: 'missing_item',
      summary:
        'UPS says #4230 was delivered on Tuesday, but there is nothing at my door and none of ' +
        'the neighbours have it.',
      resolution:
        'Requested the delivery GPS record from UPS, which placed the drop at the neighbouring ' +
        'building. UPS retrieved the parcel from that building the next day and delivered it ' +
        'to the customer.',
      status: 'resolved',
      createdDaysAgo: 96,
      resolvedDaysAgo: 95,
    },
    {
      publicId: 'T-1031',
      customerEmail: 'priya.raman@example.net',
      orderPublicId: '4182',
      category: 'missing_item',
      summary:
        'The pallet for order #4182 arrived with 18 monitors instead of 20, even though the ' +
        'packing slip lists 20.',
      resolution:
        'Compared the warehouse pallet photo with their receiving report and confirmed two ' +
        'units were never loaded. Shipped the two missing monitors by next-day air and ' +
        'credited the freight charge on the invoice.',
      status: 'resolved',
      createdDaysAgo: 82,
      resolvedDaysAgo: 79,
    },
    {
      publicId: 'T-1032',
      customerEmail: 'grace.achterberg@example.org',
      orderPublicId: '4152',
      category: 'promo_code',
      summary:
        "The code SPRING20 said 'not valid' at checkout for #4152, even though the email says " +
        'it runs through Sunday.',
      resolution:
        'The code excluded items already on sale, which the campaign email did not make clear. ' +
        'Applied the 20 percent discount on the full-price items as $9.40 of store credit and ' +
        'passed the wording problem to marketing.',
      status: 'resolved',
      createdDaysAgo: 208,
      resolvedDaysAgo: 207,
    },
    {
      publicId: 'T-1033',
      customerEmail: 'ruth.feldman@example.org',
      orderPublicId: '4298',
      category: 'promo_code',
      summary:
        'I forgot to enter my welcome code WELCOME10 before placing #4298 yesterday. Can it ' +
        'still be applied?',
      resolution:
        'Forgotten codes can be honoured within 7 days of purchase, so $4.50 was added to her ' +
        'account as store credit. Sent a receipt showing the adjustment.',
      status: 'resolved',
      createdDaysAgo: 17,
      resolvedDaysAgo: 16,
    },
    {
      publicId: 'T-1034',
      customerEmail: 'maya.okafor@example.com',
      orderPublicId: '4380',
      category: 'promo_code',
      summary:
        'My friend referral code took 15 percent off order #4380, but the free shipping it ' +
        'promised never showed up.',
      resolution:
        'Referral codes only include free shipping when the order is over $50 after the ' +
        'discount, and this one was $45.90. Because the referral page wording was ambiguous, ' +
        'credited the $5.99 shipping as store credit and flagged the copy to marketing.',
      status: 'resolved',
      createdDaysAgo: 93,
      resolvedDaysAgo: 92,
    },
    {
      publicId: 'T-1035',
      customerEmail: 'leila.haddad@example.net',
      category: 'subscription_billing',
      summary:
        'I upgraded from Free to Pro in the middle of the month and was charged the full $29, ' +
        'not a prorated amount.',
      resolution:
        'Explained that proration is applied on the next invoice: the first charge is always ' +
        'the full month, and the next renewal carries a credit for the unused days. Showed her ' +
        'the $13.10 credit on the upcoming invoice preview, and she was happy with that.',
      status: 'resolved',
      createdDaysAgo: 190,
      resolvedDaysAgo: 189,
    },
    {
      publicId: 'T-1036',
      customerEmail: 'hiroshi.tanaka@example.com',
      category: 'subscription_billing',
      summary:
        'Our annual invoice went from $12,000 to $14,400 without any notice. We have 60 active ' +
        'seats, not 72.',
      resolution:
        'A seat audit showed 12 deactivated users still held licences. Removed them, ' +
        'regenerated the invoice at $12,000, and found the renewal notice had gone to a former ' +
        'admin, so the billing contact was updated to their finance mailbox.',
      status: 'resolved',
      createdDaysAgo: 150,
      resolvedDaysAgo: 145,
    },
    {
      publicId: 'T-1037',
      customerEmail: 'daniel.reyes@example.org',
      category: 'subscription_billing',
      summary:
        'I downgraded to the free plan last month, so why did my card get charged $29 again ' +
        'this morning?',
      resolution:
        'The downgrade had been saved as a draft because the confirmation dialog was closed ' +
        'before confirming. Applied the downgrade and voided the $29 renewal before it ' +
        'settled, then confirmed in writing that no further charges would occur.',
      status: 'resolved',
      createdDaysAgo: 200,
      resolvedDaysAgo: 199,
    },
    {
      publicId: 'T-1038',
      customerEmail: 'priya.raman@example.net',
      orderPublicId: '4182',
      category: 'invoice_request',
      summary:
        'Our auditors need a VAT invoice for order #4182 that shows our registered company ' +
        'name and VAT number.',
      resolution:
        'Generated a VAT-compliant invoice with the company legal name and VAT number, ' +
        'reissued under the same invoice number with a corrected suffix, and emailed the PDF ' +
        'to their accounts payable address.',
      status: 'resolved',
      createdDaysAgo: 70,
      resolvedDaysAgo: 69,
    },
    {
      publicId: 'T-1039',
      customerEmail: 'kwame.mensah@example.com',
      category: 'invoice_request',
      summary:
        'Can I get one document covering everything I paid you last quarter? My employer wants ' +
        'it for expenses.',
      resolution:
        'Produced a consolidated statement listing order #4270 and the three Pro subscription ' +
        'charges, with the cancelled order #4215 shown as fully refunded. Sent it as a PDF ' +
        'with a running total the employer could reconcile.',
      status: 'resolved',
      createdDaysAgo: 30,
      resolvedDaysAgo: 29,
    },
    {
      publicId: 'T-1040',
      customerEmail: 'owen.brennan@example.com',
      orderPublicId: '4145',
      category: 'invoice_request',
      summary:
        'The receipt for #4145 does not show my business name or address, and my accountant ' +
        'needs both.',
      resolution:
        'Added the business name and address to his billing profile and regenerated the ' +
        'receipt for #4145. Explained that receipts on the Free plan are simple receipts, and ' +
        'that formal tax invoices are available on Pro.',
      status: 'resolved',
      createdDaysAgo: 125,
      resolvedDaysAgo: 124,
    },
    {
      publicId: 'T-1041',
      customerEmail: 'tomas.lindqvist@example.com',
      category: 'two_factor_reset',
      summary:
        'I moved to a new iPhone 15 and Google Authenticator did not carry my codes across, so ' +
        'I cannot sign in.',
      resolution:
        'Verified identity with a code sent to the recovery email plus the number of his last ' +
        'order. Disabled two-factor for 30 minutes so he could re-enrol on the new phone, then ' +
        'confirmed enrolment and revoked the old backup codes.',
      status: 'resolved',
      createdDaysAgo: 160,
      resolvedDaysAgo: 159,
    },
    {
      publicId: 'T-1042',
      customerEmail: 'sofia.marchetti@example.org',
      category: 'two_factor_reset',
      summary:
        'One of our admins lost her YubiKey and is locked out, and she is our only billing ' +
        'admin.',
      resolution:
        'Required a reset request from a second workspace owner, as the enterprise security ' +
        'policy demands. After the CTO confirmed it, removed the lost key, watched the admin ' +
        'register a new YubiKey, and recommended adding a second billing admin.',
      status: 'resolved',
      createdDaysAgo: 220,
      resolvedDaysAgo: 219,
    },
    {
      publicId: 'T-1043',
      customerEmail: 'ines.duarte@example.net',
      category: 'two_factor_reset',
      summary: 'Since I switched my mobile carrier to Vodafone, the SMS login codes never arrive.',
      resolution:
        'The SMS delivery log showed the new carrier was filtering our short-code messages. ' +
        'She signed in with one of her backup codes, and we switched her two-factor method to ' +
        'an authenticator app.',
      status: 'resolved',
      createdDaysAgo: 260,
      resolvedDaysAgo: 259,
    },
    {
      publicId: 'T-1044',
      customerEmail: 'ruth.feldman@example.org',
      category: 'account_deletion',
      summary:
        'I accidentally created two accounts under my name. Please delete the one on my old ' +
        'email address and keep this one.',
      resolution:
        'Verified that both addresses belonged to the customer, merged the order history from ' +
        'the duplicate into this account, and then deleted the duplicate along with its saved ' +
        'payment card.',
      status: 'resolved',
      createdDaysAgo: 280,
      resolvedDaysAgo: 277,
    },
    {
      publicId: 'T-1045',
      customerEmail: 'grace.achterberg@example.org',
      category: 'account_deletion',
      summary:
        'I want my account deleted, but I need a copy of my order history first for my ' +
        'records.',
      resolution:
        'Generated a data export of orders, addresses and support history as a CSV. After ' +
        'reading it, the customer decided to keep her free account and only unsubscribe from ' +
        'marketing emails, which was done.',
      status: 'resolved',
      createdDaysAgo: 90,
      resolvedDaysAgo: 87,
    },
    {
      publicId: 'T-1046',
      customerEmail: 'daniel.reyes@example.org',
      category: 'account_deletion',
      summary: 'How do I delete my account? The delete button on the settings page is greyed out.',
      resolution:
        'Deletion is blocked while a shipment is in transit, and his replacement monitor-stand ' +
        'part was still on its way. Explained the rule; once the part was delivered the button ' +
        'unlocked, and he chose to remove his saved cards instead of deleting the account.',
      status: 'resolved',
      createdDaysAgo: 116,
      resolvedDaysAgo: 114,
    },
    {
      publicId: 'T-1047',
      customerEmail: 'owen.brennan@example.com',
      category: 'payment_declined',
      summary:
        "My Visa debit keeps getting declined at your checkout with 'do not honor', but it " +
        'works everywhere else.',
      resolution:
        'Gateway logs showed the issuer declined on its fraud check because the billing ' +
        'postcode did not match the card. After he corrected the postcode in his billing ' +
        'details the payment went through and he placed the order.',
      status: 'resolved',
      createdDaysAgo: 76,
      resolvedDaysAgo: 75,
    },
    {
      publicId: 'T-1048',
      customerEmail: 'priya.raman@example.net',
      category: 'payment_declined',
      summary:
        'Our corporate card was declined for the $3,600 annual renewal; it has a $2,500 ' +
        'single-transaction limit.',
      resolution:
        'Switched the workspace to invoice billing on net-30 terms and issued a $3,600 invoice ' +
        'payable by bank transfer. Payment arrived within 12 days and the service was never ' +
        'interrupted.',
      status: 'resolved',
      createdDaysAgo: 240,
      resolvedDaysAgo: 236,
    },
    {
      publicId: 'T-1049',
      customerEmail: 'maya.okafor@example.com',
      category: 'payment_declined',
      summary:
        'Checkout failed three times with card declined while I was buying a lamp, but my bank ' +
        'says it never saw any attempts.',
      resolution:
        'The attempts were stopped by our own fraud rules before reaching the bank because she ' +
        'was connected through a VPN exit node. Cleared the block, she checked out with the ' +
        'VPN turned off, and the rule threshold was reviewed with the risk team.',
      status: 'resolved',
      createdDaysAgo: 31,
      resolvedDaysAgo: 30,
    },
    {
      publicId: 'T-1090',
      customerEmail: 'daniel.reyes@example.org',
      orderPublicId: '4340',
      category: 'shipping_delay',
      summary:
        'Order #4340 was due Thursday and USPS still says "in transit, arriving late". I need ' +
        "it for my son's birthday on Saturday.",
      status: 'in_progress',
      createdDaysAgo: 2,
    },
    {
      publicId: 'T-1091',
      customerEmail: 'kwame.mensah@example.com',
      orderPublicId: '4361',
      category: 'wrong_item',
      summary:
        'The hoodie in #4361 is a medium, but I ordered a large. I have asked for a return ' +
        'label and an exchange.',
      status: 'in_progress',
      createdDaysAgo: 3,
    },
    {
      publicId: 'T-1092',
      customerEmail: 'grace.achterberg@example.org',
      category: 'login_email_change',
      summary:
        "I'm trying to switch my login to a new address, but the verification code never " +
        'arrives at the new inbox.',
      status: 'in_progress',
      createdDaysAgo: 1,
    },
    {
      publicId: 'T-1093',
      customerEmail: 'tomas.lindqvist@example.com',
      category: 'subscription_billing',
      summary:
        'My Pro plan renewed as annual for $290, but I switched to monthly billing last week.',
      status: 'in_progress',
      createdDaysAgo: 2,
    },
    {
      publicId: 'T-1094',
      customerEmail: 'priya.raman@example.net',
      orderPublicId: '4372',
      category: 'billing_dispute',
      summary:
        'We were invoiced $6,400 for order #4372, but our contract rate for those units works ' +
        'out at $5,200. Finance is disputing the $1,200 difference and holding payment until ' +
        'it is corrected.',
      status: 'escalated',
      createdDaysAgo: 4,
    },
    {
      publicId: 'T-1095',
      customerEmail: 'owen.brennan@example.com',
      orderPublicId: '4365',
      category: 'damaged_item',
      summary:
        'The mug set from #4365 arrived in pieces and your chatbot keeps sending me the same ' +
        "form. I'm done with bots. Get me a real person today or I'm disputing the charge with " +
        'my bank.',
      status: 'escalated',
      createdDaysAgo: 1,
    },
    {
      publicId: 'T-1096',
      customerEmail: 'sofia.marchetti@example.org',
      orderPublicId: '4378',
      category: 'refund_delay',
      summary:
        'The $2,150 refund for the conference-room displays we returned on #4378 was confirmed ' +
        "16 days ago and still isn't in our account. If it isn't fixed this week, our legal " +
        'team will get involved.',
      status: 'escalated',
      createdDaysAgo: 2,
    },
    {
      publicId: 'T-1097',
      customerEmail: 'hiroshi.tanaka@example.com',
      category: 'payment_declined',
      summary:
        'Our $13,200 annual renewal payment was declined and the workspace now shows a ' +
        'suspension warning for Friday. We cannot have 66 people locked out.',
      status: 'escalated',
      createdDaysAgo: 1,
    },
    {
      publicId: 'T-1098',
      customerEmail: 'ines.duarte@example.net',
      orderPublicId: '4385',
      category: 'address_change',
      summary:
        'I just placed #4385 and realised it is going to my old flat in Porto. Can you change ' +
        'it to my new address?',
      status: 'open',
      createdDaysAgo: 0,
    },
    {
      publicId: 'T-1099',
      customerEmail: 'maya.okafor@example.com',
      orderPublicId: '4429',
      category: 'refund_delay',
      summary: "I haven't received my refund from order #4429, it's been two weeks.",
      status: 'open',
      createdDaysAgo: 0,
    },
    {
      publicId: 'T-1100',
      customerEmail: 'ruth.feldman@example.org',
      orderPublicId: '4388',
      category: 'promo_code',
      summary: "The FREESHIP code didn't apply to #4388 even though my basket was over $50.",
      status: 'open',
      createdDaysAgo: 1,
    },
    {
      publicId: 'T-1101',
      customerEmail: 'leila.haddad@example.net',
      category: 'two_factor_reset',
      summary:
        "I left my phone in a taxi last night and can't get my two-factor codes. I still have " +
        'my laptop but no backup codes.',
      status: 'open',
      createdDaysAgo: 0,
    },
  ],
  refunds: [
    {
      idempotencyKey: 'demo-refund-4429',
      orderPublicId: '4429',
      ticketPublicId: 'T-1013',
      amountCents: 21_900,
      reason:
        'Approved full refund: the lamp arrived with a cracked base and the damaged item was ' +
        'returned to the warehouse.',
      status: 'issued',
      issuedDaysAgo: 14,
    },
    {
      idempotencyKey: 'demo-refund-4102',
      orderPublicId: '4102',
      ticketPublicId: 'T-1001',
      amountCents: 6450,
      reason: 'Unworn running shoes returned within the free-tier return window.',
      status: 'settled',
      issuedDaysAgo: 54,
    },
    {
      idempotencyKey: 'demo-refund-4187',
      orderPublicId: '4187',
      ticketPublicId: 'T-1002',
      amountCents: 34_200,
      reason: 'Unopened espresso grinder returned within the Pro return window.',
      status: 'settled',
      issuedDaysAgo: 79,
    },
    {
      idempotencyKey: 'demo-refund-4215',
      orderPublicId: '4215',
      ticketPublicId: 'T-1003',
      amountCents: 8999,
      reason: 'Order cancelled before dispatch; PayPal payment returned in full.',
      status: 'settled',
      issuedDaysAgo: 98,
    },
    {
      idempotencyKey: 'demo-refund-4260',
      orderPublicId: '4260',
      ticketPublicId: 'T-1004',
      amountCents: 99_200,
      reason:
        'Partial refund for 8 of 10 returned conference headsets, sent to the purchase-order ' +
        'virtual card.',
      status: 'failed',
      issuedDaysAgo: 101,
    },
    {
      idempotencyKey: 'demo-refund-4260-reissue',
      orderPublicId: '4260',
      ticketPublicId: 'T-1004',
      amountCents: 99_200,
      reason:
        'Reissued by bank transfer (reference RF-20931) after the card refund failed on a ' +
        'closed virtual card.',
      status: 'settled',
      issuedDaysAgo: 75,
    },
    {
      idempotencyKey: 'demo-refund-4311',
      orderPublicId: '4311',
      ticketPublicId: 'T-1005',
      amountCents: 3800,
      reason: 'Phone case returned unopened within the free-tier return window.',
      status: 'settled',
      issuedDaysAgo: 36,
    },
    {
      idempotencyKey: 'demo-refund-4378',
      orderPublicId: '4378',
      amountCents: 215_000,
      reason:
        'Return of five conference-room displays approved by billing under enterprise return ' +
        'terms.',
      status: 'issued',
      issuedDaysAgo: 16,
    },
  ],
  policies: [
    { externalId: 'refund-policy', title: 'Refund policy', file: 'refund-policy.md' },
    { externalId: 'escalation-policy', title: 'Escalation policy', file: 'escalation-policy.md' },
    { externalId: 'shipping-policy', title: 'Shipping policy', file: 'shipping-policy.md' },
  ],
}
