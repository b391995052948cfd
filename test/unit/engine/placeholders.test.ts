import {
  customerValue,
  fillPlaceholders,
  placeholderKey,
  placeholdersIn,
  placeholderSource,
  profileValue,
} from '../../../src/engine/placeholders';
import type { BusinessProfile } from '../../../src/db/entities';

const profile: BusinessProfile = {
  supportPhone: '+44 20 7946 0000',
  website: 'shop.example.com',
  liveChatUrl: 'https://shop.example.com/chat',
  values: { 'Order History': 'Account → Orders' },
};

describe('placeholder names', () => {
  it.each([
    ['Website Name', 'websitename'],
    [' website   NAME ', 'websitename'],
    ['Order Number Anonymized', 'ordernumber'],
  ])('%j has key %j', (name, key) => expect(placeholderKey(name)).toBe(key));

  it('finds names, sources and values', () => {
    expect(
      placeholdersIn('Call {{Customer Support Phone Number}} or visit {{ website name }}; again {{Website Name}}'),
    ).toEqual(['Customer Support Phone Number', 'website name', 'Website Name']);
    expect(placeholderSource('Order Number', profile)).toBe('customer');
    expect(placeholderSource('order history', profile)).toBe('profile');
    expect(placeholderSource('Edit Order', profile)).toBe('unknown');
    expect(profileValue('CUSTOMER SUPPORT phone number', profile)).toBe('+44 20 7946 0000');
    expect(profileValue('Customer Support Hours', profile)).toBeNull();
  });
});

describe('customer values come only from what the customer wrote', () => {
  it.each([
    [['I can no longer afford order 113542617735902'], 'Order Number', '113542617735902'],
    [['my order number is #AB-12345, please help'], 'Order Number Anonymized', 'AB-12345'],
    [['order ABC123', 'sorry, it was order ABC999'], 'Order ID', 'ABC999'],
    [['where is my order?'], 'Order Number', null],
    [['what is the order status'], 'Order Number', null],
    [['invoice no. 88812 is wrong'], 'Invoice Number', '88812'],
    [['call me on 07700 900123'], 'Order Number', null],
  ])('%j → %s = %j', (messages, name, expected) => expect(customerValue(name, messages)).toBe(expected));
});

describe('filling answers', () => {
  const cases: Array<{
    name: string;
    text: string;
    customer?: string[];
    expected: string;
    unfilled: string[];
    empty?: boolean;
  }> = [
    {
      name: 'fills from the profile, matching case and spacing loosely',
      text: 'Call us on {{customer support PHONE number}} or visit {{Website Name}}.',
      expected: 'Call us on +44 20 7946 0000 or visit shop.example.com.',
      unfilled: [],
    },
    {
      name: 'leaves out only the sentence with an unfilled placeholder',
      text: 'Refunds take 5 days. Our team is there {{Customer Support Hours}}. Ask in {{Live Chat}}!',
      expected: 'Refunds take 5 days. Ask in https://shop.example.com/chat!',
      unfilled: ['Customer Support Hours'],
    },
    {
      name: 'fills a customer value the customer gave',
      text: 'I have cancelled order {{Order Number}} for you.',
      customer: ['please cancel order 55512'],
      expected: 'I have cancelled order 55512 for you.',
      unfilled: [],
    },
    {
      name: 'never invents a customer value: that sentence goes',
      text: 'Sorry for the delay. I have checked order {{Order Number}}. It left today.',
      customer: ['where is my order'],
      expected: 'Sorry for the delay. It left today.',
      unfilled: ['Order Number'],
    },
    {
      name: 'drops a list item and renumbers the list',
      text: 'Here is how:\n\n1. Sign in.\n2. Open {{Account Settings}}.\n3. Open {{Order History}}.\n4. Choose the order.',
      expected: 'Here is how:\n\n1. Sign in.\n2. Open Account → Orders.\n3. Choose the order.',
      unfilled: ['Account Settings'],
    },
    {
      name: 'a malformed placeholder is treated as unfilled',
      text: 'Thanks. Visit {{Website Name} today.',
      expected: 'Thanks.',
      unfilled: [],
    },
    {
      name: 'nothing left but an introduction: empty, so the engine hands off',
      text: 'You can reach us here:\n- {{Customer Support Email}}',
      expected: 'You can reach us here:',
      unfilled: ['Customer Support Email'],
      empty: true,
    },
    {
      name: 'text without placeholders is untouched',
      text: '👍',
      expected: '👍',
      unfilled: [],
    },
  ];
  it.each(cases)('$name', ({ text, customer, expected, unfilled, empty }) => {
    const result = fillPlaceholders(text, { profile, customerMessages: customer ?? [] });
    expect(result.text).toBe(expected);
    expect(result.unfilled).toEqual(unfilled);
    expect(result.empty).toBe(empty ?? false);
    expect(result.text).not.toMatch(/\{\{|\}\}/);
  });
});
