export interface SeedArticle {
  topic: 'orders' | 'refunds' | 'delivery' | 'accounts' | 'payments' | 'returns' | 'shop';
  question: string;
  answer: string;
}

/** The demo shop's support answers, written for parley (not copied from any dataset). */
export const demoShopName = 'Northwind Outfitters';

export const seedKnowledgeBase: SeedArticle[] = [
  // Orders
  {
    topic: 'orders',
    question: 'Where is my order, and how can I track it?',
    answer:
      'Once your order ships, we email you a tracking link. You can also sign in and open https://northwind.example/orders to see the live status of every order.',
  },
  {
    topic: 'orders',
    question: 'Can I change something in my order after I placed it?',
    answer:
      'You can edit sizes, colours or quantities for up to 1 hour after ordering from https://northwind.example/orders. After that the order is usually being packed, so contact us and we will do our best to help.',
  },
  {
    topic: 'orders',
    question: 'How do I cancel my order?',
    answer:
      'If your order has not shipped yet, open it at https://northwind.example/orders and choose "Cancel order". Once it has shipped, you can refuse the delivery or start a free return instead, and we will refund you as soon as it reaches us.',
  },
  {
    topic: 'orders',
    question: 'My order says delivered but I never got it, what should I do?',
    answer:
      'First check with neighbours and around your door, as couriers sometimes leave parcels in a safe place. If it has not turned up within 2 business days, report it at https://northwind.example/help/missing and we will open a claim with the courier and send a replacement or refund.',
  },
  {
    topic: 'orders',
    question: 'I received the wrong item in my package.',
    answer:
      'Sorry about the mix-up! Report it at https://northwind.example/help/wrong-item with a photo of what arrived, and we will ship the correct item right away along with a prepaid label for the wrong one.',
  },
  {
    topic: 'orders',
    question: 'My item or package arrived damaged, can you help?',
    answer:
      'We are sorry it arrived in bad shape. Send us a photo of the item and packaging within 14 days via https://northwind.example/help/damaged, and we will send a free replacement or a full refund, whichever you prefer.',
  },

  // Refunds
  {
    topic: 'refunds',
    question: 'I want a refund: how long does it take to get my money back?',
    answer:
      'We process refunds within 2 business days of your return arriving at our warehouse. Your bank may then take another 3–5 business days to show the money in your account.',
  },
  {
    topic: 'refunds',
    question: 'How can I check the status of my refund?',
    answer:
      'Sign in and open the order at https://northwind.example/orders; the refund status and date are shown there. We also email you as soon as the refund has been issued.',
  },
  {
    topic: 'refunds',
    question: 'Can my refund go to a different card than the one I paid with?',
    answer:
      'For security reasons refunds always go back to the original payment method. If that card has been cancelled, your bank will pass the money to your new card, or we can issue a Northwind gift card instead.',
  },
  {
    topic: 'refunds',
    question: 'Why did I only get part of my money back?',
    answer:
      'A partial refund usually means only some items from the order were returned, or a promo discount was spread across the items. Items returned used or without tags may also get a reduced refund; the breakdown is in your refund email.',
  },

  // Returns
  {
    topic: 'returns',
    question: 'What is your return policy?',
    answer:
      'You can return unused items with their tags within 30 days of delivery for a full refund. Sale items are included, but personalised gear and opened hygiene products like socks and base layers cannot be returned.',
  },
  {
    topic: 'returns',
    question: 'How do I start a return?',
    answer:
      'Go to https://northwind.example/returns, select the order and the items you want to send back, and print the return label. Drop the parcel at any partner post office within 14 days of creating the return.',
  },
  {
    topic: 'returns',
    question: 'Do I have to pay for return shipping?',
    answer:
      'Returns within the country are free using our prepaid label. International returns cost a flat $9.95, which is deducted from your refund.',
  },
  {
    topic: 'returns',
    question: 'Can I exchange an item for a different size or colour?',
    answer:
      'Yes! Choose "Exchange" when starting a return at https://northwind.example/returns and pick the new size or colour. We ship the replacement as soon as your original is scanned by the courier, with no extra shipping charge.',
  },

  // Delivery
  {
    topic: 'delivery',
    question: 'How long does delivery take?',
    answer:
      'Standard delivery takes 3–5 business days after your order ships. Orders placed before 2 pm on a business day usually ship the same day.',
  },
  {
    topic: 'delivery',
    question: 'Do you ship internationally?',
    answer:
      'We ship to over 40 countries, and international delivery usually takes 7–14 business days. Import duties and taxes may be charged by your country on arrival; see https://northwind.example/shipping for the full list.',
  },
  {
    topic: 'delivery',
    question: 'How much does shipping cost?',
    answer:
      'Standard delivery is $5.95, and it is free on orders over $75. Express delivery costs $14.95 regardless of order value.',
  },
  {
    topic: 'delivery',
    question: 'Can I change the delivery address for my order?',
    answer:
      'If the order has not shipped yet, you can update the address at https://northwind.example/orders. Once it is on its way, use the tracking link to redirect it with the courier, or contact us and we will try to help.',
  },
  {
    topic: 'delivery',
    question: 'Do you offer express delivery?',
    answer:
      'Yes, express delivery arrives in 1–2 business days for $14.95. Order before 12 pm on a business day and we will ship it the same day.',
  },
  {
    topic: 'delivery',
    question: 'I missed my delivery, what happens now?',
    answer:
      'The courier will leave a card and usually try again the next business day. You can also rebook the delivery or choose a pickup point using the tracking link; parcels are held for 7 days before coming back to us.',
  },

  // Accounts
  {
    topic: 'accounts',
    question: 'I forgot my password, how do I reset it?',
    answer:
      'Click "Forgot password" at https://northwind.example/login and enter your email address. We will send you a reset link that is valid for 1 hour, so check your spam folder if it does not show up.',
  },
  {
    topic: 'accounts',
    question: 'How do I change the email address on my account?',
    answer:
      'Sign in and go to https://northwind.example/account/settings, then enter your new email under "Email address". We will send a confirmation link to the new address, and the change takes effect once you click it.',
  },
  {
    topic: 'accounts',
    question: 'How can I delete my account?',
    answer:
      'You can delete your account from https://northwind.example/account/settings under "Privacy". Your personal data is removed within 30 days, although we keep order records that the law requires us to hold.',
  },
  {
    topic: 'accounts',
    question: 'How do I create an account?',
    answer:
      'Head to https://northwind.example/signup and enter your name, email and a password. With an account you can track orders, start returns in a few clicks and collect Trail Points on every purchase.',
  },
  {
    topic: 'accounts',
    question: 'How do I turn on two-factor login for my account?',
    answer:
      'Go to https://northwind.example/account/security and choose "Enable two-factor login". You can use an authenticator app or get a 6-digit code by text message each time you sign in.',
  },

  // Payments
  {
    topic: 'payments',
    question: 'What payment methods do you accept?',
    answer:
      'We accept Visa, Mastercard, American Express, PayPal, Apple Pay, Google Pay and Northwind gift cards. You can also split a purchase into 4 interest-free payments at checkout.',
  },
  {
    topic: 'payments',
    question: 'Why was my payment declined?',
    answer:
      'Declines usually come from a billing address that does not match your card, an expired card or a limit set by your bank. Double-check your details and try again, or contact your bank, since we cannot see the exact reason on our side.',
  },
  {
    topic: 'payments',
    question: 'Where can I get an invoice or receipt for my order?',
    answer:
      'Your receipt is emailed when the order ships. You can also download a PDF invoice anytime from the order page at https://northwind.example/orders.',
  },
  {
    topic: 'payments',
    question: 'How do I use a gift card?',
    answer:
      'Enter the 16-digit gift card code in the "Gift card" box at checkout, and any remaining balance stays on the card for next time. Northwind gift cards are valid for 3 years, and you can check the balance at https://northwind.example/gift-cards.',
  },
  {
    topic: 'payments',
    question: 'My promo code is not working, what am I doing wrong?',
    answer:
      'Check that the code has not expired and that your basket meets any minimum spend. Codes cannot be combined and some exclude sale items; if it still fails, send us the code and we will take a look.',
  },

  // Shop
  {
    topic: 'shop',
    question: 'What are your customer support hours?',
    answer:
      'Our support team is available Monday to Friday from 8 am to 8 pm and on weekends from 10 am to 4 pm (Eastern Time). This chat assistant is here to help 24/7.',
  },
  {
    topic: 'shop',
    question: 'Do you have any physical stores?',
    answer:
      'Yes, we have stores in Portland, Denver and Burlington, open daily from 10 am to 7 pm. Addresses and directions are at https://northwind.example/stores.',
  },
  {
    topic: 'shop',
    question: 'How can I talk to a real person?',
    answer:
      'Just type "agent" in this chat during support hours and we will connect you to a team member. You can also email help@northwind.example or call 1-800-555-0147.',
  },
  {
    topic: 'shop',
    question: 'What warranty do your products have?',
    answer:
      'All Northwind-brand gear comes with a 2-year warranty against manufacturing defects, and other brands carry their own manufacturer warranty. Submit a claim with photos at https://northwind.example/warranty and we will repair or replace the item.',
  },
];
