import type { channels, conversationStatuses, memberRoles, speakers } from "../schema";

/**
 * Deterministic demo data. Pure: no database access, no clock, no Math.random(). The same arguments
 * always give the same rows, so a seed can be re-run and tests can rely on the content.
 *
 * Every conversation is generated from its own rng, derived from (seed, tenantIndex, index), so a
 * tenant's conversations can be produced in chunks (`startIndex`) and come out identical to one big
 * call. Conversation ids embed a bijective hash of the index: unique within a tenant by construction.
 */

export type Channel = (typeof channels)[number];
export type ConversationStatus = (typeof conversationStatuses)[number];
export type Speaker = (typeof speakers)[number];
export type MemberRole = (typeof memberRoles)[number];

export type Rng = () => number;

/** mulberry32: a small, fast 32-bit generator. Returns floats in [0, 1) with 32 bits of entropy. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------------
// Tenants and users

export interface TenantSpec {
  slug: string;
  name: string;
  vertical: string;
}

/** The vertical keys `generateTenantData` knows; anything else falls back by keyword, then by index. */
export const demoVerticals = ["healthcare", "property-management", "salon"] as const;

export const demoTenants: TenantSpec[] = [
  { slug: "acme-health", name: "Acme Health", vertical: "healthcare" },
  { slug: "globex-realty", name: "Globex Realty", vertical: "property-management" },
  { slug: "initech-salons", name: "Initech Salons", vertical: "salon" },
];

// ---------------------------------------------------------------------------------------------------
// Rows

export interface AgentRow {
  id: string;
  name: string;
  channel: Channel;
  vertical: string;
}

export interface ConversationRow {
  id: string;
  agentId: string;
  channel: Channel;
  caller: string;
  status: ConversationStatus;
  startedAt: Date;
  durationSeconds: number;
  summary: string;
}

export interface TurnRow {
  conversationId: string;
  position: number;
  speaker: Speaker;
  text: string;
  offsetMs: number;
}

export interface GenerateTenantDataArgs {
  tenantIndex: number;
  vertical: string;
  tenantName: string;
  /** How many conversations to generate (from `startIndex`). */
  conversations: number;
  /** 3 to 5; default 3 + tenantIndex % 3. */
  agentsCount?: number;
  /** Conversations fall in the 60 days before this instant. */
  baseTimeMs: number;
  seed: number;
  /** Index of the first conversation, to generate a large tenant in chunks. Default 0. */
  startIndex?: number;
}

export interface TenantData {
  agents: AgentRow[];
  conversations: ConversationRow[];
  turns: TurnRow[];
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function u32(r: Rng): number {
  return Math.floor(r() * 4294967296) >>> 0;
}

function hex8(w: number): string {
  return (w >>> 0).toString(16).padStart(8, "0");
}

/** A v4-shaped UUID from four 32-bit words (version nibble 4, variant 10xx). */
function uuidFromWords(a: number, b: number, c: number, d: number): string {
  const hb = hex8(((b & 0xffff0fff) | 0x00004000) >>> 0);
  const hc = hex8(((c & 0x3fffffff) | 0x80000000) >>> 0);
  const hd = hex8(d);
  return `${hex8(a)}-${hb.slice(0, 4)}-${hb.slice(4)}-${hc.slice(0, 4)}-${hc.slice(4)}${hd}`;
}

function uuidFromRng(r: Rng): string {
  return uuidFromWords(u32(r), u32(r), u32(r), u32(r));
}

function pick<T>(r: Rng, arr: readonly T[]): T {
  return arr[Math.floor(r() * arr.length)] as T;
}

/** A different element from `arr` than `not` (arr must have at least two elements). */
function pickOther<T>(r: Rng, arr: readonly T[], not: T): T {
  const i = arr.indexOf(not);
  if (i < 0) return pick(r, arr);
  return arr[(i + 1 + Math.floor(r() * (arr.length - 1))) % arr.length] as T;
}

function int(r: Rng, min: number, max: number): number {
  return min + Math.floor(r() * (max - min + 1));
}

function chance(r: Rng, p: number): boolean {
  return r() < p;
}

/** "a flu shot", "an annual physical". */
function an(noun: string): string {
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function money(n: number): string {
  // Intl formatting is slow; these amounts are whole dollars below a million.
  return n >= 1000 ? `$${Math.floor(n / 1000)},${String(n % 1000).padStart(3, "0")}` : `$${n}`;
}

const MONTHS = [
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
] as const;
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"] as const;
const SALON_DAYS = ["Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;
const TIMES = [
  "8:30 AM",
  "9:00 AM",
  "9:15 AM",
  "10:00 AM",
  "10:30 AM",
  "11:00 AM",
  "11:45 AM",
  "1:00 PM",
  "1:30 PM",
  "2:15 PM",
  "3:00 PM",
  "3:45 PM",
  "4:30 PM",
] as const;
const FIRST_NAMES = [
  "Maria",
  "James",
  "Aisha",
  "Daniel",
  "Sofia",
  "Michael",
  "Priya",
  "David",
  "Emily",
  "Carlos",
  "Hannah",
  "Kevin",
  "Olivia",
  "Marcus",
  "Grace",
  "Luis",
  "Chloe",
  "Ethan",
  "Fatima",
  "Noah",
  "Isabel",
  "Tyler",
  "Mei",
  "Jordan",
  "Rachel",
  "Omar",
  "Lauren",
  "Andre",
  "Nina",
  "Sam",
  "Beatriz",
  "Wei",
  "Kayla",
  "Ravi",
  "Megan",
  "Tomas",
] as const;
const LAST_NAMES = [
  "Garcia",
  "Smith",
  "Khan",
  "Johnson",
  "Rossi",
  "Brown",
  "Sharma",
  "Miller",
  "Davis",
  "Lopez",
  "Wilson",
  "Park",
  "Martinez",
  "Taylor",
  "Nguyen",
  "Thomas",
  "Moore",
  "Jackson",
  "Ali",
  "White",
  "Harris",
  "Clark",
  "Lewis",
  "Young",
  "Walker",
  "Hall",
  "Allen",
  "King",
  "Wright",
  "Scott",
  "Torres",
  "Hill",
  "Green",
  "Adams",
  "Baker",
  "Reyes",
] as const;

function dob(r: Rng): string {
  return `${pick(r, MONTHS)} ${int(r, 1, 28)}, ${int(r, 1946, 2005)}`;
}

function calendarDate(r: Rng): string {
  return `${pick(r, MONTHS)} ${int(r, 1, 28)}`;
}

// ---------------------------------------------------------------------------------------------------
// Scenario model

type Pair = readonly [agent: string, caller: string];

interface Escalation {
  agent: string;
  caller: string;
  handoff: string;
  summary: string;
  detail: string;
}

interface Script {
  /** Gerund phrase: "booking a flu shot", used in non-completed summaries. */
  topic: string;
  /** The caller's first line. */
  opening: string;
  /** Agent question, caller answer; 1 or 2 pairs. */
  pairs: Pair[];
  /** Agent line that completes the request. */
  confirm: string;
  summary: string;
  detail: string;
  escalation?: Escalation;
  team?: string;
  system?: string;
}

interface Ctx {
  r: Rng;
  tenant: string;
  first: string;
  last: string;
  voice: boolean;
}

/** Cumulative weights for completed, escalated, abandoned, failed. */
type StatusWeights = readonly [number, number, number, number];
const DEFAULT_STATUS: StatusWeights = [0.8, 0.09, 0.07, 0.04];

interface Scenario {
  id: string;
  weight: number;
  status?: StatusWeights;
  build: (c: Ctx) => Script;
}

interface AgentSpec {
  name: string;
  channel: Channel;
  persona: string;
  focus: readonly string[];
}

interface VerticalPack {
  key: (typeof demoVerticals)[number];
  agents: readonly AgentSpec[];
  scenarios: readonly Scenario[];
  refund: Scenario;
  team: string;
  system: string;
  extras: (c: Ctx) => Pair[];
}

// ---------------------------------------------------------------------------------------------------
// Healthcare

const DOCTORS = [
  "Dr. Patel",
  "Dr. Nguyen",
  "Dr. Okafor",
  "Dr. Rossi",
  "Dr. Kim",
  "Dr. Alvarez",
  "Dr. Feldman",
  "Dr. Mensah",
] as const;
const CLINIC_SERVICES = [
  "annual physical",
  "flu shot",
  "follow-up visit",
  "skin check",
  "blood draw",
  "sports physical",
  "well-child visit",
  "blood pressure check",
  "travel vaccination consult",
  "dental cleaning",
  "allergy consultation",
] as const;
const MEDS = [
  "lisinopril 10 mg",
  "metformin 500 mg",
  "atorvastatin 20 mg",
  "levothyroxine 50 mcg",
  "sertraline 50 mg",
  "amlodipine 5 mg",
  "albuterol inhaler",
  "omeprazole 20 mg",
  "losartan 25 mg",
  "montelukast 10 mg",
] as const;
const PHARMACIES = [
  "the CVS on Main Street",
  "the Walgreens on Oak Avenue",
  "the Rite Aid on 5th Street",
  "the Costco pharmacy on Harbor Road",
  "the Safeway pharmacy on Elm Street",
  "the Kroger pharmacy on Lincoln Avenue",
] as const;
const INSURERS = [
  "Blue Cross",
  "Aetna",
  "Cigna",
  "UnitedHealthcare",
  "Humana",
  "Kaiser Permanente",
  "Medicare",
] as const;
const LAB_TESTS = [
  "blood work",
  "cholesterol panel",
  "A1C test",
  "thyroid panel",
  "strep test",
  "urine culture",
  "vitamin D test",
] as const;

function idPair(c: Ctx, lead: string): Pair {
  const d = dob(c.r);
  return [`${lead} Can I have your full name and date of birth?`, `${c.first} ${c.last}, ${d}.`];
}

const healthcare: VerticalPack = {
  key: "healthcare",
  team: "front desk team",
  system: "scheduling system",
  agents: [
    { name: "Front Desk Voice", channel: "voice", persona: "Ava", focus: ["book", "reschedule"] },
    { name: "Refill Assistant", channel: "chat", persona: "Remy", focus: ["refill"] },
    { name: "Insurance Helper", channel: "chat", persona: "Iris", focus: ["insurance"] },
    { name: "After-Hours Nurse Line", channel: "voice", persona: "Nora", focus: ["results", "refill"] },
    { name: "Booking Chat", channel: "chat", persona: "Bea", focus: ["book", "reschedule"] },
  ],
  extras: (c) => [
    [`Is the mobile number ending in ${int(c.r, 1000, 9999)} still the best way to reach you?`, "Yes, that's right."],
    [
      "Would you like a text reminder the day before?",
      pick(c.r, ["Yes, please.", "Sure, that would help.", "No thanks, I'll remember."]),
    ],
    [
      "Has anything changed with your insurance since your last visit?",
      pick(c.r, ["No, same plan.", "Nope, still the same card."]),
    ],
    [
      "Do you have any new allergies we should note?",
      pick(c.r, ["No, nothing new.", "Just penicillin, which should already be on file."]),
    ],
  ],
  scenarios: [
    {
      id: "book",
      weight: 30,
      build: (c) => {
        const { r } = c;
        const svc = pick(r, CLINIC_SERVICES);
        const doc = pick(r, DOCTORS);
        const day = pick(r, WEEKDAYS);
        const day2 = pickOther(r, WEEKDAYS, day);
        const time = pick(r, TIMES);
        const time2 = pickOther(r, TIMES, time);
        const id = idPair(c, pick(r, ["Sure, I can help with that.", "Happy to help."]));
        return {
          topic: `booking ${an(svc)}`,
          opening: pick(r, [
            `Hi, I'd like to book ${an(svc)}.`,
            `I need to schedule ${an(svc)}, ideally with ${doc}.`,
            `Hello, do you have anything open this week for ${an(svc)}?`,
          ]),
          pairs: [
            id,
            [
              `Thanks, ${c.first}. ${doc} has openings on ${day} at ${time} or ${day2} at ${time2}. Which works better for you?`,
              pick(r, [`${day} at ${time}, please.`, `Let's do ${day} at ${time}.`, `${day} works best.`]),
            ],
          ],
          confirm: `You're all set for ${an(svc)} with ${doc} on ${day} at ${time}. Please arrive ten minutes early and bring your insurance card.`,
          summary: `Caller booked ${an(svc)} for ${day} ${time} with ${doc}.`,
          detail: `Patient ${c.first} ${c.last}; ${day2} at ${time2} was also offered. Reminder goes out the day before.`,
        };
      },
    },
    {
      id: "reschedule",
      weight: 14,
      build: (c) => {
        const { r } = c;
        const svc = pick(r, CLINIC_SERVICES);
        const doc = pick(r, DOCTORS);
        const day = pick(r, WEEKDAYS);
        const day2 = pickOther(r, WEEKDAYS, day);
        const time = pick(r, TIMES);
        const time2 = pickOther(r, TIMES, time);
        const id = idPair(c, "No problem.");
        if (chance(r, 0.6)) {
          return {
            topic: `rescheduling ${an(svc)}`,
            opening: pick(r, [
              `I need to move my appointment with ${doc} on ${day}.`,
              `Something came up at work, can I reschedule my ${svc}?`,
            ]),
            pairs: [
              id,
              [
                `I see your ${svc} with ${doc} on ${day} at ${time}. The next opening is ${day2} at ${time2}. Would that work?`,
                pick(r, [`Yes, ${day2} works.`, `${day2} at ${time2} is perfect.`]),
              ],
            ],
            confirm: `Done. Your ${svc} is now ${day2} at ${time2} with ${doc}, and the ${day} slot is released.`,
            summary: `Caller rescheduled ${an(svc)} with ${doc} from ${day} to ${day2} ${time2}.`,
            detail: `Patient ${c.first} ${c.last}; original slot was ${day} ${time}.`,
          };
        }
        return {
          topic: `cancelling ${an(svc)}`,
          opening: pick(r, [
            `I need to cancel my appointment on ${day}.`,
            `Hi, I have to cancel my ${svc} with ${doc}.`,
          ]),
          pairs: [
            id,
            [
              `I see your ${svc} with ${doc} on ${day} at ${time}. Would you like to reschedule instead of cancelling?`,
              pick(r, ["No, just cancel it for now. I'll call back.", "Not right now, thanks. I'm traveling."]),
            ],
          ],
          confirm: `Okay, your ${day} ${time} appointment with ${doc} is cancelled. There's no fee since it's more than 24 hours away.`,
          summary: `Caller cancelled ${an(svc)} with ${doc} on ${day} at ${time}.`,
          detail: `Patient ${c.first} ${c.last}; declined to reschedule, no cancellation fee applied.`,
        };
      },
    },
    {
      id: "refill",
      weight: 24,
      build: (c) => {
        const { r } = c;
        const med = pick(r, MEDS);
        const doc = pick(r, DOCTORS);
        const pharmacy = pick(r, PHARMACIES);
        const id = idPair(c, "I can help with that.");
        return {
          topic: `requesting a refill of ${med}`,
          system: "pharmacy system",
          opening: pick(r, [
            `Hi, I need a refill on my ${med}.`,
            `I'm almost out of my ${med} and need it refilled.`,
            `Can you send a refill for ${med} to my pharmacy?`,
          ]),
          pairs: [
            id,
            ["Thanks. Which pharmacy should we send it to?", `${pharmacy.replace(/^the /, "The ")}, please.`],
          ],
          confirm: `I've sent the refill for ${med} to ${doc} for approval. Once approved it usually reaches ${pharmacy} within one business day.`,
          summary: `Caller requested a refill of ${med} sent to ${pharmacy.replace(/^the /, "")}.`,
          detail: `Patient ${c.first} ${c.last}; routed to ${doc} for approval, expected within one business day.`,
          escalation: {
            agent: `It looks like ${med} needs a follow-up visit before ${doc} can renew it. I can connect you with a nurse to discuss.`,
            caller: "Okay, but I only have two pills left.",
            handoff: "Understood, I'll flag that as urgent. Transferring you to the nurse line now.",
            summary: `Caller's refill of ${med} needs a follow-up visit and was transferred to a nurse.`,
            detail: `Patient ${c.first} ${c.last} is nearly out of medication; flagged urgent for ${doc}.`,
          },
        };
      },
    },
    {
      id: "insurance",
      weight: 16,
      build: (c) => {
        const { r } = c;
        const ins = pick(r, INSURERS);
        const member = `${String.fromCharCode(65 + int(r, 0, 25))}${String.fromCharCode(65 + int(r, 0, 25))}${int(r, 1000000, 9999999)}`;
        const idp: Pair = [
          "I can check that. Can I have your name and the member ID on your card?",
          `${c.first} ${c.last}, member ID ${member}.`,
        ];
        const kind = int(r, 0, 2);
        const billing: Escalation = {
          agent:
            "That depends on details of your plan that I can't see. Our billing specialists can check with the insurer directly.",
          caller: "Okay, can you put me through?",
          handoff: "Sure, transferring you to the billing team now.",
          summary: `Caller's ${ins} coverage question needed plan details and was transferred to billing.`,
          detail: `Member ID ${member}; caller ${c.first} ${c.last}.`,
        };
        if (kind === 0) {
          return {
            topic: `checking whether ${c.tenant} takes ${ins}`,
            team: "billing team",
            opening: pick(r, [`Do you take ${ins}? I just switched plans.`, `Is ${c.tenant} in network with ${ins}?`]),
            pairs: [idp],
            confirm: `Yes, ${c.tenant} is in network with your ${ins} plan. Your primary care copay is ${money(pick(r, [20, 25, 30, 35]))}.`,
            summary: `Caller confirmed ${c.tenant} is in network for their ${ins} plan.`,
            detail: `Member ID ${member}; primary care copay quoted.`,
            escalation: billing,
          };
        }
        if (kind === 1) {
          const copay = money(pick(r, [40, 50, 60, 75]));
          return {
            topic: `asking about specialist copays with ${ins}`,
            team: "billing team",
            opening: `What's my copay for a specialist visit with ${ins}?`,
            pairs: [idp],
            confirm: `With your ${ins} plan, a specialist visit is ${copay} after your deductible, and you don't need a referral.`,
            summary: `Caller was told their ${ins} specialist copay is ${copay}.`,
            detail: `Member ID ${member}; no referral required.`,
            escalation: billing,
          };
        }
        const scan = pick(r, ["an MRI", "a CT scan", "an ultrasound", "a sleep study"]);
        return {
          topic: `asking about prior authorization for ${scan}`,
          team: "billing team",
          opening: `Does ${scan} need prior authorization with ${ins}?`,
          pairs: [idp, ["Which doctor ordered it?", `${pick(r, DOCTORS)}, last week.`]],
          confirm: `Yes, ${ins} requires prior authorization for ${scan}. Our referral team has already submitted it; approval usually takes 3 to 5 business days.`,
          summary: `Caller learned ${scan} needs prior authorization from ${ins}, already submitted.`,
          detail: `Member ID ${member}; approval expected in 3-5 business days.`,
          escalation: billing,
        };
      },
    },
    {
      id: "results",
      weight: 8,
      status: [0.5, 0.9, 0.96, 1],
      build: (c) => {
        const { r } = c;
        const test = pick(r, LAB_TESTS);
        const doc = pick(r, DOCTORS);
        return {
          topic: `asking for ${test} results`,
          team: "nurse line",
          opening: pick(r, [`I'm calling to get my ${test} results.`, `Are my ${test} results back yet?`]),
          pairs: [idPair(c, "Sure.")],
          confirm: `Your ${test} results are in the patient portal, and ${doc} left a note that everything looks normal. No follow-up is needed.`,
          summary: `Caller was told their ${test} results are normal and posted to the portal.`,
          detail: `Patient ${c.first} ${c.last}; reviewed by ${doc}, no follow-up needed.`,
          escalation: {
            agent: `${doc} would like to go over these results with you personally, so I'll connect you with a nurse.`,
            caller: "Oh. Is everything okay?",
            handoff: "The nurse can answer that for you. Transferring you now, please hold.",
            summary: `Caller asked for ${test} results and was transferred to a nurse at ${doc}'s request.`,
            detail: `Patient ${c.first} ${c.last}; results flagged for review by ${doc}.`,
          },
        };
      },
    },
  ],
  refund: {
    id: "refund",
    weight: 3,
    build: (c) => {
      const { r } = c;
      const amount = money(pick(r, [20, 25, 30, 40, 45, 60, 150, 210]));
      const date = calendarDate(r);
      return {
        topic: `filing a refund request for a ${amount} charge`,
        team: "billing team",
        system: "billing system",
        opening: pick(r, [
          `Hi, I'd like to make a refund request. I was charged twice for my ${amount} copay on ${date}.`,
          `I want to put in a refund request for a ${amount} charge from my visit on ${date}.`,
        ]),
        pairs: [
          idPair(c, "I'm sorry about that."),
          [
            `I see two ${amount} charges from ${date}. Should the refund go back to the card on file?`,
            "Yes, the card on file is fine.",
          ],
        ],
        confirm: `I've submitted a refund request for ${amount}. It should be back on your card within 5 to 7 business days, and we'll email a confirmation.`,
        summary: `Caller filed a refund request for a duplicate ${amount} copay charged on ${date}.`,
        detail: `Refund to card on file in 5-7 business days; patient ${c.first} ${c.last}.`,
      };
    },
  },
};

// ---------------------------------------------------------------------------------------------------
// Property management

const BUILDINGS = [
  "Harbor View",
  "Maple Court",
  "Riverside Lofts",
  "The Elm",
  "Cedar Park Apartments",
  "Lakeside Commons",
  "Union Square Flats",
] as const;
const ISSUES: readonly (readonly [sentence: string, short: string, water: boolean])[] = [
  ["the kitchen faucet is leaking", "leaking kitchen faucet", true],
  ["the AC isn't cooling at all", "broken air conditioner", false],
  ["the bathroom sink is clogged", "clogged bathroom sink", true],
  ["the garbage disposal is jammed", "jammed garbage disposal", false],
  ["there's no hot water", "hot water outage", false],
  ["the dishwasher is leaking onto the floor", "leaking dishwasher", true],
  ["the smoke detector keeps chirping", "chirping smoke detector", false],
  ["the front door lock is sticking", "sticking front door lock", false],
  ["the bedroom window won't latch", "broken window latch", false],
  ["the toilet keeps running", "running toilet", true],
  ["the fridge stopped cooling", "broken refrigerator", false],
  ["the hallway light keeps flickering", "flickering hallway light", false],
  ["the water heater is leaking", "leaking water heater", true],
];
const UNIT_TYPES = ["studio", "one-bedroom", "two-bedroom", "three-bedroom townhouse"] as const;
const RENTS = [1450, 1595, 1695, 1875, 2100, 2250, 2450, 2900] as const;
const WINDOWS = ["8 AM and noon", "9 AM and 1 PM", "noon and 4 PM", "1 PM and 5 PM"] as const;
const LEASING_AGENTS = ["Tom", "Renee", "Kofi", "Lisa", "Javier"] as const;

function unitNumber(r: Rng): string {
  return chance(r, 0.5)
    ? `${int(r, 1, 12)}${pick(r, ["A", "B", "C", "D", "E", "F"])}`
    : `${int(r, 1, 9)}0${int(r, 1, 9)}`;
}

function tenantPair(c: Ctx, unit: string, bldg: string, lead: string): Pair {
  return [`${lead} Can I confirm your name and unit number?`, `${c.first} ${c.last}, unit ${unit} at ${bldg}.`];
}

const property: VerticalPack = {
  key: "property-management",
  team: "property management office",
  system: "resident portal",
  agents: [
    { name: "Maintenance Line", channel: "voice", persona: "Max", focus: ["maintenance"] },
    { name: "Leasing Chat", channel: "chat", persona: "Lena", focus: ["viewing", "renewal"] },
    { name: "Resident Helpdesk", channel: "chat", persona: "Rio", focus: ["rent", "noise"] },
    { name: "After-Hours Emergency Line", channel: "voice", persona: "Eli", focus: ["maintenance"] },
    { name: "Rent Assistant", channel: "chat", persona: "Penny", focus: ["rent"] },
  ],
  extras: (c) => [
    ["What's the best phone number for the team to reach you?", `${phoneDigits(c.r)}.`],
    ["Would you like updates by text or email?", pick(c.r, ["Text is best.", "Email, please.", "Text, thanks."])],
    [
      "Are there any pets in the unit we should know about?",
      pick(c.r, ["Just a cat.", "No pets.", "One dog, he's friendly."]),
    ],
  ],
  scenarios: [
    {
      id: "maintenance",
      weight: 32,
      build: (c) => {
        const { r } = c;
        const bldg = pick(r, BUILDINGS);
        const unit = unitNumber(r);
        const [issue, short, water] = pick(r, ISSUES);
        const day = pick(r, WEEKDAYS);
        const window = pick(r, WINDOWS);
        const wo = int(r, 10000, 99999);
        const enter = chance(r, 0.7);
        return {
          topic: `reporting a ${short}`,
          team: "maintenance supervisor",
          system: "work-order system",
          opening: pick(r, [
            `Hi, I live at ${bldg}, unit ${unit}, and ${issue}.`,
            `I need to put in a maintenance request, ${issue}.`,
            `Hey, ${issue} in my apartment. Can someone come take a look?`,
          ]),
          pairs: [
            tenantPair(c, unit, bldg, "Sorry to hear that."),
            [
              "Thanks. Do we have permission to enter if you're not home?",
              enter ? "Yes, that's fine." : "I'd rather be there, please call me first.",
            ],
          ],
          confirm: `I've created work order #${wo} for the ${short}. A technician is scheduled for ${day} between ${window}, and you'll get a text when they're on the way.`,
          summary: `Caller reported a ${short} in unit ${unit} at ${bldg}; work order #${wo} was created.`,
          detail: `Technician scheduled ${day} between ${window}; ${enter ? "permission to enter granted" : "resident wants a call before entry"}.`,
          escalation: water
            ? {
                agent: "Is any water reaching the floor below or near electrical outlets?",
                caller: "Actually yes, it's dripping through to the unit downstairs.",
                handoff: "That's an emergency, so I'm connecting you to the on-call maintenance technician right now.",
                summary: `Caller reported water from a ${short} reaching the unit below at ${bldg} and was transferred to on-call maintenance.`,
                detail: `Unit ${unit}; treated as an emergency, no routine work order created.`,
              }
            : undefined,
        };
      },
    },
    {
      id: "viewing",
      weight: 20,
      build: (c) => {
        const { r } = c;
        const bldg = pick(r, BUILDINGS);
        const type = pick(r, UNIT_TYPES);
        const rent = money(pick(r, RENTS));
        const unit = unitNumber(r);
        const day = pick(r, WEEKDAYS);
        const day2 = pickOther(r, WEEKDAYS, day);
        const time = pick(r, TIMES);
        const time2 = pickOther(r, TIMES, time);
        const agent = pick(r, LEASING_AGENTS);
        return {
          topic: `scheduling a viewing at ${bldg}`,
          team: "leasing office",
          opening: pick(r, [
            `Hi, I saw the listing for the ${type} at ${bldg}. Can I schedule a viewing?`,
            `I'm interested in the ${rent} ${type} at ${bldg}. Is it still available?`,
          ]),
          pairs: [
            [
              `It is! The ${type} at ${bldg} is ${rent} a month and available on the 1st of ${pick(r, MONTHS)}. What's your name?`,
              `${c.first} ${c.last}.`,
            ],
            [
              `Thanks, ${c.first}. We have viewings on ${day} at ${time} or ${day2} at ${time2}. Which works?`,
              `${day} at ${time}.`,
            ],
          ],
          confirm: `Great, you're booked to see unit ${unit} at ${bldg} on ${day} at ${time}. ${agent} from our leasing team will meet you in the lobby; please bring a photo ID.`,
          summary: `Caller scheduled a viewing of a ${type} at ${bldg} for ${day} ${time}.`,
          detail: `Unit ${unit}, listed at ${rent}/month; prospect ${c.first} ${c.last}, shown by ${agent}.`,
        };
      },
    },
    {
      id: "rent",
      weight: 20,
      build: (c) => {
        const { r } = c;
        const bldg = pick(r, BUILDINGS);
        const unit = unitNumber(r);
        const month = pick(r, MONTHS);
        const rent = money(pick(r, RENTS));
        const idp = tenantPair(c, unit, bldg, "I can look that up.");
        const kind = int(r, 0, 2);
        if (kind === 0) {
          return {
            topic: "checking a rent balance",
            opening: pick(r, [
              `What's my current balance? I want to pay rent for ${month}.`,
              `How much do I owe for ${month} rent?`,
            ]),
            pairs: [idp],
            confirm: `Your balance for ${month} is ${rent}, due on the 1st. You can pay in the resident portal or by check at the office.`,
            summary: `Caller was told their ${month} rent balance is ${rent}.`,
            detail: `Unit ${unit} at ${bldg}; payment options explained.`,
          };
        }
        if (kind === 1) {
          const late = money(pick(r, [50, 75, 100]));
          return {
            topic: "disputing a late fee",
            team: "property manager",
            opening: pick(r, [
              "Why was I charged a late fee this month?",
              `I got a ${late} late fee but I paid on time.`,
            ]),
            pairs: [idp],
            confirm: `I see a ${late} late fee because the payment posted on the ${int(r, 4, 9)}th. Since it's your first one this year, I've waived it as a courtesy.`,
            summary: `Caller's ${late} late fee for ${month} was waived as a first-time courtesy.`,
            detail: `Unit ${unit} at ${bldg}; payment had posted after the grace period.`,
            escalation: {
              agent: `I see a ${late} late fee, and this would be the second one this year, so I can't waive it myself.`,
              caller: "That's not fair, the portal was down on the 1st.",
              handoff: "I understand. I'm passing this to the property manager, who can review the portal outage.",
              summary: `Caller disputed a ${late} late fee and was escalated to the property manager.`,
              detail: `Unit ${unit} at ${bldg}; caller says the resident portal was down on the due date.`,
            },
          };
        }
        return {
          topic: "setting up rent autopay",
          opening: pick(r, ["How do I set up autopay for rent?", "Can I pay rent automatically every month?"]),
          pairs: [idp],
          confirm: "I've emailed you a link to set up autopay. It draws on the 1st, and bank transfers have no fee.",
          summary: "Caller was sent a link to set up rent autopay.",
          detail: `Unit ${unit} at ${bldg}; autopay draws on the 1st, no fee for bank transfers.`,
        };
      },
    },
    {
      id: "renewal",
      weight: 10,
      build: (c) => {
        const { r } = c;
        const bldg = pick(r, BUILDINGS);
        const unit = unitNumber(r);
        const month = pick(r, MONTHS);
        const base = pick(r, RENTS);
        return {
          topic: "asking about lease renewal",
          team: "leasing office",
          opening: `My lease at ${bldg} ends in ${month}. What are my renewal options?`,
          pairs: [tenantPair(c, unit, bldg, "Happy to help.")],
          confirm: `You can renew for 12 months at ${money(base + 50)} or 6 months at ${money(base + 125)}. I've emailed the offer; please sign by the 15th.`,
          summary: `Caller received lease renewal options for unit ${unit} at ${bldg}.`,
          detail: `Lease ends in ${month}; 12-month at ${money(base + 50)}, 6-month at ${money(base + 125)}.`,
        };
      },
    },
    {
      id: "noise",
      weight: 8,
      build: (c) => {
        const { r } = c;
        const bldg = pick(r, BUILDINGS);
        const unit = unitNumber(r);
        const other = unitNumber(r);
        return {
          topic: "filing a noise complaint",
          team: "community manager",
          opening: pick(r, [
            `The neighbors in ${other} have been really loud after midnight.`,
            `I want to report noise from unit ${other}, there's music every night.`,
          ]),
          pairs: [tenantPair(c, unit, bldg, "I'm sorry about that.")],
          confirm: `I've logged a noise complaint about unit ${other}. The community manager will send a reminder about quiet hours, 10 PM to 7 AM.`,
          summary: `Caller filed a noise complaint about unit ${other} at ${bldg}.`,
          detail: `Reported by ${c.first} ${c.last} in unit ${unit}; quiet-hours reminder will be sent.`,
        };
      },
    },
  ],
  refund: {
    id: "refund",
    weight: 3,
    build: (c) => {
      const { r } = c;
      const bldg = pick(r, BUILDINGS);
      const unit = unitNumber(r);
      const month = pick(r, MONTHS);
      const rent = money(pick(r, RENTS));
      if (chance(r, 0.5)) {
        return {
          topic: "following up on a security deposit refund request",
          team: "accounting team",
          opening: `I moved out of ${bldg} in ${month} and want to check on my security deposit refund request.`,
          pairs: [tenantPair(c, unit, bldg, "Sure.")],
          confirm: `Your deposit refund request was approved on ${calendarDate(r)}: ${rent} minus a ${money(pick(r, [50, 85, 150]))} cleaning charge. The check is in the mail.`,
          summary: `Caller checked on a security deposit refund request for unit ${unit} at ${bldg}; it was approved.`,
          detail: `Moved out in ${month}; refund check mailed to the forwarding address.`,
        };
      }
      return {
        topic: `filing a refund request for a duplicate ${month} rent payment`,
        team: "accounting team",
        opening: `I'd like to make a refund request. I think I was charged rent twice for ${month}.`,
        pairs: [tenantPair(c, unit, bldg, "Let me check.")],
        confirm: `You're right, there are two ${rent} payments for ${month}. I've filed a refund request; accounting returns it to the same account within 10 business days.`,
        summary: `Caller filed a refund request for a duplicate ${rent} rent payment in ${month}.`,
        detail: `Unit ${unit} at ${bldg}; refund to the original payment method within 10 business days.`,
      };
    },
  },
};

// ---------------------------------------------------------------------------------------------------
// Salons

const LOCATIONS = ["Downtown", "Westside", "Midtown", "Lakeview", "Riverside", "Old Town"] as const;
const STYLISTS = ["Jasmine", "Marco", "Priya", "Tessa", "Leo", "Hana", "Diego", "Sofia"] as const;
const SALON_SERVICES: readonly (readonly [name: string, price: number])[] = [
  ["women's haircut", 65],
  ["men's haircut", 35],
  ["balayage", 210],
  ["root touch-up", 85],
  ["blowout", 45],
  ["gel manicure", 40],
  ["spa pedicure", 55],
  ["beard trim", 20],
  ["keratin treatment", 250],
  ["partial foil", 140],
  ["kids' haircut", 25],
  ["brow wax", 18],
];
const COLOR_SERVICES: readonly (readonly [name: string, price: number])[] = [
  ["balayage", 210],
  ["root touch-up", 85],
  ["partial foil", 140],
  ["single-process color", 120],
];
const GIFT_AMOUNTS = [25, 50, 75, 100, 150, 200] as const;
const RELATIONS = ["mom", "sister", "best friend", "wife", "husband", "coworker", "daughter"] as const;

function phoneDigits(r: Rng): string {
  return `555-01${String(int(r, 0, 99)).padStart(2, "0")}`;
}

const salon: VerticalPack = {
  key: "salon",
  team: "salon front desk",
  system: "booking system",
  agents: [
    { name: "Booking Line", channel: "voice", persona: "Bella", focus: ["book"] },
    { name: "Salon Chat", channel: "chat", persona: "Skye", focus: ["pricing", "book"] },
    { name: "Gift Card Helper", channel: "chat", persona: "Gigi", focus: ["giftcard"] },
    { name: "Front Desk Voice", channel: "voice", persona: "Fern", focus: ["cancel", "book"] },
    { name: "Appointments Chat", channel: "chat", persona: "Amara", focus: ["cancel", "book"] },
  ],
  extras: (c) => [
    ["Is this your first visit with us?", pick(c.r, ["No, I've been a few times.", "Yes, first time!"])],
    ["Would you like a reminder text the day before?", pick(c.r, ["Yes please.", "Sure.", "No need, thanks."])],
    [
      "Any allergies to hair or nail products we should note?",
      pick(c.r, ["Nope.", "I'm sensitive to strong fragrances."]),
    ],
  ],
  scenarios: [
    {
      id: "book",
      weight: 35,
      build: (c) => {
        const { r } = c;
        const [svc, price] = pick(r, SALON_SERVICES);
        const stylist = pick(r, STYLISTS);
        const loc = pick(r, LOCATIONS);
        const day = pick(r, SALON_DAYS);
        const time = pick(r, TIMES);
        const time2 = pickOther(r, TIMES, time);
        return {
          topic: `booking ${an(svc)}`,
          opening: pick(r, [
            `Hi, I'd like to book ${an(svc)} at your ${loc} location.`,
            `Can I get ${an(svc)} with ${stylist} this ${day}?`,
            `Do you have any openings for ${an(svc)} on ${day}?`,
          ]),
          pairs: [
            [
              `Absolutely. ${stylist} has ${time} or ${time2} open on ${day} at our ${loc} salon. Which would you like?`,
              `${time} works.`,
            ],
            ["Great. Can I get a name and phone number for the booking?", `${c.first} ${c.last}, ${phoneDigits(r)}.`],
          ],
          confirm: `You're booked for ${an(svc)} with ${stylist} at ${c.tenant} ${loc} on ${day} at ${time}. It starts at ${money(price)}, and we ask for 24 hours' notice to cancel.`,
          summary: `Caller booked ${an(svc)} with ${stylist} at the ${loc} salon for ${day} ${time}.`,
          detail: `Client ${c.first} ${c.last}; quoted from ${money(price)}, 24-hour cancellation policy explained.`,
        };
      },
    },
    {
      id: "cancel",
      weight: 20,
      build: (c) => {
        const { r } = c;
        const [svc] = pick(r, SALON_SERVICES);
        const stylist = pick(r, STYLISTS);
        const loc = pick(r, LOCATIONS);
        const day = pick(r, SALON_DAYS);
        const time = pick(r, TIMES);
        const late = chance(r, 0.35);
        return {
          topic: `cancelling ${an(svc)}`,
          opening: pick(r, [
            `I need to cancel my ${svc} on ${day}.`,
            `Hi, something came up and I can't make my appointment with ${stylist}.`,
          ]),
          pairs: [
            ["Sorry to hear that. What name is the booking under?", `${c.first} ${c.last}.`],
            late
              ? [
                  `I see your ${svc} with ${stylist} at our ${loc} salon today at ${time}. Since it's within 24 hours there's a $25 late cancellation fee. Still cancel?`,
                  "Yes, unfortunately. Go ahead.",
                ]
              : [
                  `I see your ${svc} with ${stylist} at our ${loc} salon on ${day} at ${time}. Would you like to reschedule instead?`,
                  "No, just cancel it for now, thanks.",
                ],
          ],
          confirm: late
            ? `Done, your ${time} appointment is cancelled and the $25 fee will go to the card on file.`
            : `Done, your ${day} appointment with ${stylist} is cancelled. No fee applies.`,
          summary: late
            ? `Caller cancelled a same-day ${svc} with ${stylist} at the ${loc} salon; $25 late fee applied.`
            : `Caller cancelled ${an(svc)} with ${stylist} at the ${loc} salon on ${day}.`,
          detail: `Client ${c.first} ${c.last}; appointment was ${late ? "today" : day} at ${time}.`,
          escalation: late
            ? {
                agent: `That booking has a $25 late cancellation fee since it's within 24 hours.`,
                caller: "I was sick, can someone waive that? I'd like to talk to a manager.",
                handoff: `Of course, I'm connecting you with the ${loc} salon manager now.`,
                summary: `Caller disputed a late cancellation fee for ${an(svc)} and was transferred to the ${loc} manager.`,
                detail: `Client ${c.first} ${c.last}; says they were sick.`,
              }
            : undefined,
        };
      },
    },
    {
      id: "pricing",
      weight: 20,
      build: (c) => {
        const { r } = c;
        const [svc, price] = pick(r, SALON_SERVICES);
        const loc = pick(r, LOCATIONS);
        return {
          topic: `asking about ${svc} pricing`,
          opening: pick(r, [
            `How much is ${an(svc)}?`,
            `What do you charge for ${an(svc)} at your ${loc} salon?`,
            `Quick question, price for ${an(svc)}?`,
          ]),
          pairs: [
            [
              `${capitalize(an(svc))} starts at ${money(price)} with a stylist and is about 20% more with a senior stylist. Would you like to book one?`,
              pick(r, ["Not yet, I'm just comparing prices.", "Maybe later. Do you take walk-ins?"]),
            ],
          ],
          confirm: `No problem! Walk-ins are welcome at our ${loc} salon when there's space, and you can always book online at ${c.tenant}.`,
          summary: `Caller asked about ${svc} pricing and was quoted from ${money(price)}.`,
          detail: `Did not book; told senior stylists are about 20% more and walk-ins are accepted at the ${loc} salon.`,
        };
      },
    },
    {
      id: "giftcard",
      weight: 15,
      build: (c) => {
        const { r } = c;
        if (chance(r, 0.6)) {
          const amount = money(pick(r, GIFT_AMOUNTS));
          const rel = pick(r, RELATIONS);
          const email = `${pick(r, FIRST_NAMES).toLowerCase()}@example.com`;
          return {
            topic: `buying a ${amount} gift card`,
            system: "gift card system",
            opening: `I'd like to buy a ${amount} gift card for my ${rel}.`,
            pairs: [
              [
                "Lovely! Should it be a digital card sent by email, or a physical card to pick up?",
                `Email, please. Send it to ${email}.`,
              ],
              ["And what name should appear as the sender?", `${c.first}.`],
            ],
            confirm: `Done! A ${amount} gift card from ${c.first} is on its way to ${email}. It never expires and works at every ${c.tenant} location.`,
            summary: `Caller bought a ${amount} digital gift card for their ${rel}.`,
            detail: `Sent to ${email}; paid by ${c.first} ${c.last}.`,
          };
        }
        const ending = int(r, 1000, 9999);
        const bal = money(pick(r, [0, 12, 25, 38, 50, 64, 100]));
        return {
          topic: "checking a gift card balance",
          system: "gift card system",
          opening: `Can you check the balance on my gift card ending in ${ending}?`,
          pairs: [["Sure. What's the four-digit PIN on the back?", `It's ${int(r, 1000, 9999)}.`]],
          confirm: `The gift card ending in ${ending} has ${bal} remaining and never expires.`,
          summary: `Caller checked a gift card balance: ${bal} remaining on the card ending ${ending}.`,
          detail: `Cardholder ${c.first} ${c.last}; no transaction made.`,
        };
      },
    },
  ],
  refund: {
    id: "refund",
    weight: 3,
    build: (c) => {
      const { r } = c;
      const loc = pick(r, LOCATIONS);
      if (chance(r, 0.5)) {
        const [svc, price] = pick(r, COLOR_SERVICES);
        const stylist = pick(r, STYLISTS);
        const stylist2 = pickOther(r, STYLISTS, stylist);
        return {
          topic: `filing a refund request for ${an(svc)}`,
          team: `${loc} salon manager`,
          opening: `I want to make a refund request for my ${svc} at your ${loc} salon. The color came out really uneven.`,
          pairs: [
            [
              "I'm so sorry. Who was your stylist, and when was the appointment?",
              `${stylist}, last ${pick(r, SALON_DAYS)}.`,
            ],
          ],
          confirm: `I've logged a refund request for ${money(price)}, and the ${loc} manager will review it within two business days. We can also offer a free correction with ${stylist2}.`,
          summary: `Caller filed a refund request for an uneven ${svc} with ${stylist} at the ${loc} salon.`,
          detail: `Client ${c.first} ${c.last}; ${money(price)} under review, free correction with ${stylist2} offered.`,
        };
      }
      const amount = money(pick(r, GIFT_AMOUNTS));
      return {
        topic: `filing a refund request for a ${amount} gift card`,
        system: "gift card system",
        opening: `I'd like to make a refund request for a ${amount} gift card I bought by mistake.`,
        pairs: [["No problem. Has any of the balance been used?", "No, it's never been used."]],
        confirm: `Since it's unused, I've approved the refund request. ${amount} goes back to your original card within 5 business days.`,
        summary: `Caller's refund request for an unused ${amount} gift card was approved.`,
        detail: `Refund to original payment method within 5 business days; purchaser ${c.first} ${c.last}.`,
      };
    },
  },
};

// ---------------------------------------------------------------------------------------------------
// Assembly

const PACKS: readonly VerticalPack[] = [healthcare, property, salon];

function packFor(vertical: string, tenantIndex: number): VerticalPack {
  const v = vertical.toLowerCase();
  const exact = PACKS.find((p) => p.key === v);
  if (exact) return exact;
  if (/health|clinic|medic|dental|care/.test(v)) return healthcare;
  if (/realt|property|estate|rental|housing/.test(v)) return property;
  if (/salon|beauty|spa|hair|nail/.test(v)) return salon;
  return PACKS[Math.abs(tenantIndex) % PACKS.length] as VerticalPack;
}

interface PreparedPack {
  pack: VerticalPack;
  cumulative: number[];
  total: number;
  byId: Map<string, Scenario>;
}

const prepared = new Map<VerticalPack, PreparedPack>();
function prepare(pack: VerticalPack): PreparedPack {
  let p = prepared.get(pack);
  if (!p) {
    const all = [...pack.scenarios, pack.refund];
    const cumulative: number[] = [];
    let total = 0;
    for (const s of all) {
      total += s.weight;
      cumulative.push(total);
    }
    p = { pack, cumulative, total, byId: new Map(all.map((s) => [s.id, s])) };
    prepared.set(pack, p);
  }
  return p;
}

function weightedScenario(r: Rng, p: PreparedPack): Scenario {
  const x = r() * p.total;
  const all = p.pack.scenarios;
  for (let i = 0; i < all.length; i++) if (x < (p.cumulative[i] as number)) return all[i] as Scenario;
  return p.pack.refund;
}

const STATUSES: readonly ConversationStatus[] = ["completed", "escalated", "abandoned", "failed"];
function pickStatus(r: Rng, w: StatusWeights): ConversationStatus {
  const x = r();
  for (let i = 0; i < 4; i++) if (x < (w[i] as number)) return STATUSES[i] as ConversationStatus;
  return "completed";
}
const DEFAULT_CUMULATIVE: StatusWeights = [
  DEFAULT_STATUS[0],
  DEFAULT_STATUS[0] + DEFAULT_STATUS[1],
  DEFAULT_STATUS[0] + DEFAULT_STATUS[1] + DEFAULT_STATUS[2],
  1,
];

const THANKS = [
  "Perfect, thank you.",
  "Great, thanks so much.",
  "That's all I needed, thanks.",
  "Awesome, I appreciate it.",
  "Okay, thank you!",
  "Sounds good, thanks.",
] as const;
const ASK_HUMAN = [
  "Actually, can I just talk to a real person?",
  "Sorry, I'd rather speak with someone on staff.",
  "This is getting complicated. Is there a human I can talk to?",
  "Can you transfer me to someone? I have a few more questions.",
] as const;
const HOLD_VOICE = [
  "Hang on, let me find it.",
  "Sorry, one second, someone's at the door.",
  "Uh, hold on a moment.",
] as const;
const HOLD_CHAT = ["one sec", "brb, looking for it", "hang on"] as const;
const FAIL_REACT = ["Oh. So what should I do?", "Seriously? Okay.", "Hm, okay. Can I try later?"] as const;

function greeting(c: Ctx, persona: string, localHour: number): string {
  const part = localHour < 12 ? "morning" : localHour < 17 ? "afternoon" : "evening";
  if (c.voice) {
    return pick(c.r, [
      `Thanks for calling ${c.tenant}, this is ${persona}. How can I help you today?`,
      `Hi, you've reached ${c.tenant}. This is ${persona}, the virtual assistant. What can I do for you?`,
      `Good ${part}, thank you for calling ${c.tenant}. My name is ${persona}. How may I help?`,
    ]);
  }
  return pick(c.r, [
    `Hi there! Welcome to ${c.tenant}. I'm ${persona}, a virtual assistant. What can I help you with today?`,
    `Hello and thanks for reaching out to ${c.tenant}! I'm ${persona}. How can I help?`,
    `Good ${part}! You're chatting with ${persona} from ${c.tenant}. What brings you in?`,
  ]);
}

function pushPairs(out: string[], pairs: readonly Pair[], n: number): void {
  for (let i = 0; i < n; i++) {
    const p = pairs[i] as Pair;
    out.push(p[0], p[1]);
  }
}

interface Built {
  texts: string[];
  summary: string;
  /** The caller went silent before the last (agent) turn. */
  silenceBeforeLast: boolean;
}

function buildTranscript(c: Ctx, pack: VerticalPack, script: Script, status: ConversationStatus, greet: string): Built {
  const { r } = c;
  const texts: string[] = [greet, script.opening];
  const pairs = script.pairs;
  const team = script.team ?? pack.team;
  const system = script.system ?? pack.system;
  let summary: string;
  let detail: string;
  let silenceBeforeLast = false;

  switch (status) {
    case "completed": {
      pushPairs(texts, pairs, pairs.length);
      const room = Math.floor((12 - 4 - 2 * pairs.length) / 2);
      const want = Math.min(room, int(r, 0, 2));
      if (want > 0) {
        const extras = pack.extras(c);
        const start = int(r, 0, extras.length - 1);
        for (let i = 0; i < want; i++) {
          const p = extras[(start + i) % extras.length] as Pair;
          texts.push(p[0], p[1]);
        }
      }
      texts.push(script.confirm, pick(r, THANKS));
      if (texts.length < 12 && chance(r, 0.7)) {
        texts.push(
          c.voice
            ? pick(r, [
                `You're welcome, ${c.first}. Have a great day!`,
                "Happy to help. Take care!",
                `Thanks for calling ${c.tenant}. Goodbye!`,
              ])
            : pick(r, [
                `Glad I could help, ${c.first}! Have a great day.`,
                `You're welcome! Thanks for chatting with ${c.tenant}.`,
              ]),
        );
      }
      summary = script.summary;
      detail = script.detail;
      break;
    }
    case "escalated": {
      const esc = script.escalation;
      if (esc && chance(r, 0.6)) {
        pushPairs(texts, pairs, pairs.length);
        texts.push(esc.agent, esc.caller, esc.handoff);
        summary = esc.summary;
        detail = esc.detail;
      } else {
        const j = int(r, 0, pairs.length - 1);
        pushPairs(texts, pairs, j);
        texts.push(
          (pairs[j] as Pair)[0],
          pick(r, ASK_HUMAN),
          c.voice
            ? `Of course. I'm transferring you to our ${team} now, please stay on the line.`
            : `No problem, I'm handing this chat to our ${team}. Someone will reply here in a few minutes.`,
        );
        summary = `Caller asked for a person while ${script.topic} and was transferred to the ${team}.`;
        detail = c.voice
          ? `Live transfer after ${texts.length} turns; caller identified as ${c.first} ${c.last}.`
          : `Chat handed off after ${texts.length} messages; customer ${c.first} ${c.last}.`;
      }
      break;
    }
    case "abandoned": {
      const j = int(r, 0, pairs.length - 1);
      pushPairs(texts, pairs, j);
      texts.push((pairs[j] as Pair)[0]);
      if (j === 0 || chance(r, 0.6)) {
        texts.push(
          c.voice ? pick(r, HOLD_VOICE) : pick(r, HOLD_CHAT),
          c.voice
            ? `Are you still there? I'm not hearing anything, so I'll end the call for now. Feel free to call ${c.tenant} back anytime.`
            : "It looks like you stepped away, so I'll close this chat for now. Just send a message if you need anything else.",
        );
        silenceBeforeLast = true;
      }
      summary = `Caller ${c.voice ? "hung up" : "left the chat"} while ${script.topic}; the request was not completed.`;
      detail = `The last prompt went unanswered after ${texts.length} turns; no changes were made.`;
      break;
    }
    case "failed": {
      const j = int(r, 0, pairs.length);
      pushPairs(texts, pairs, j);
      if (c.voice && j < pairs.length && chance(r, 0.4)) {
        texts.push(
          (pairs[j] as Pair)[0],
          "(inaudible)",
          `I'm having trouble hearing you, so I'm going to end this call. Please call ${c.tenant} back when you have a better connection.`,
        );
        summary = `Call ended early because of poor audio while ${script.topic}.`;
        detail = `Caller's answer was inaudible after ${texts.length - 2} turns; no changes were saved.`;
      } else {
        texts.push(
          `I'm sorry, I'm having trouble connecting to our ${system} right now.`,
          pick(r, FAIL_REACT),
          `Please try again in a little while, or reach the ${team} during business hours. I apologize for the inconvenience.`,
        );
        summary = `Assistant could not finish ${script.topic} because the ${system} was unavailable.`;
        detail = "Caller was asked to try again later; no changes were saved.";
      }
      break;
    }
  }
  return { texts, summary: `${summary}\n${detail}`, silenceBeforeLast };
}

function chatHandle(r: Rng, first: string, last: string): string {
  switch (int(r, 0, 3)) {
    case 0:
      return `${first} ${last.charAt(0)}.`;
    case 1:
      return `${first.toLowerCase()}.${last.toLowerCase()}`;
    case 2:
      return `@${first.toLowerCase()}${int(r, 10, 99)}`;
    default:
      return `Guest ${int(r, 1000, 9999)}`;
  }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Local business hours are UTC-5 (US Eastern, standard time). */
const UTC_OFFSET_HOURS = 5;

/**
 * Agents, conversations and transcript turns for one tenant. Rows carry no tenant id: the caller
 * adds it. Conversations are in index order (not time order).
 */
export function generateTenantData(args: GenerateTenantDataArgs): TenantData {
  const { tenantIndex, tenantName, baseTimeMs } = args;
  const pack = packFor(args.vertical, tenantIndex);
  const prep = prepare(pack);
  const tenantSeed = mix32((args.seed >>> 0) ^ mix32((tenantIndex >>> 0) + 0x51ed270b));
  const tr = createRng(tenantSeed);

  const agentsCount = Math.max(3, Math.min(5, Math.floor(args.agentsCount ?? 3 + (tenantIndex % 3))));
  const specs = pack.agents.slice(0, agentsCount);
  const agents: AgentRow[] = specs.map((s) => ({
    id: uuidFromRng(tr),
    name: s.name,
    channel: s.channel,
    vertical: pack.key,
  }));
  const focus: Scenario[][] = specs.map((s) =>
    s.focus.map((id) => prep.byId.get(id)).filter((x): x is Scenario => x !== undefined),
  );

  const conversations: ConversationRow[] = [];
  const turns: TurnRow[] = [];
  const salt = mix32(tenantSeed ^ 0x2545f491);
  const midnight = Math.floor(baseTimeMs / DAY) * DAY;
  const start = Math.max(0, Math.floor(args.startIndex ?? 0));
  const end = start + Math.max(0, Math.floor(args.conversations));

  for (let index = start; index < end; index++) {
    // Bijective in index: ids are unique within a tenant by construction.
    const idWord = mix32((index ^ salt) >>> 0);
    const r = createRng(mix32(idWord + 0x9e3779b9));
    const id = uuidFromWords(idWord, u32(r), u32(r), u32(r));

    const agentIdx = Math.floor(r() * agents.length);
    const agent = agents[agentIdx] as AgentRow;
    const spec = specs[agentIdx] as AgentSpec;
    const voice = agent.channel === "voice";

    let first: string;
    let last: string;
    let caller: string;
    if (voice) {
      // Phone numbers map to a stable person, so repeat callers keep their name.
      const n = Math.floor(r() * 100);
      first = FIRST_NAMES[(n * 7 + tenantIndex) % FIRST_NAMES.length] as string;
      last = LAST_NAMES[(n * 11 + tenantIndex * 3) % LAST_NAMES.length] as string;
      caller = `+1 555-01${n < 10 ? "0" : ""}${n}`;
    } else {
      first = pick(r, FIRST_NAMES);
      last = pick(r, LAST_NAMES);
      caller = chatHandle(r, first, last);
    }

    const c: Ctx = { r, tenant: tenantName, first, last, voice };
    let scenario: Scenario;
    const agentFocus = focus[agentIdx] ?? [];
    if (index % 20 === 7) scenario = pack.refund;
    else if (agentFocus.length > 0 && chance(r, 0.6)) scenario = pick(r, agentFocus);
    else scenario = weightedScenario(r, prep);
    const status = pickStatus(r, scenario.status ?? DEFAULT_CUMULATIVE);

    const localHour = int(r, 8, 18);
    const script = scenario.build(c);
    const built = buildTranscript(c, pack, script, status, greeting(c, spec.persona, localHour));

    // Timing: speech at ~15 characters per second, chat typed by the caller, streamed by the agent.
    const texts = built.texts;
    let t = voice ? int(r, 300, 900) : int(r, 200, 600);
    const last_ = texts.length - 1;
    for (let pos = 0; pos <= last_; pos++) {
      const text = texts[pos] as string;
      const agentTurn = (pos & 1) === 0;
      if (pos === last_ && built.silenceBeforeLast) t += voice ? int(r, 6000, 10000) : int(r, 60000, 180000);
      turns.push({ conversationId: id, position: pos, speaker: agentTurn ? "agent" : "caller", text, offsetMs: t });
      const len = text.length;
      const spoken = voice ? len * (agentTurn ? 62 : 70) : agentTurn ? len * 8 : len * int(r, 150, 260);
      const gap = agentTurn
        ? voice
          ? int(r, 400, 2200)
          : int(r, 2000, 12000)
        : voice
          ? int(r, 500, 1100)
          : int(r, 900, 2800);
      t += spoken + (pos === last_ ? 0 : gap);
    }
    const durationSeconds = Math.ceil((t + (voice ? 500 : 0)) / 1000);

    const day = Math.floor(r() * 59);
    let startedMs =
      midnight - day * DAY + (localHour + UTC_OFFSET_HOURS) * HOUR + int(r, 0, 59) * MINUTE + int(r, 0, 59) * 1000;
    while (startedMs + durationSeconds * 1000 > baseTimeMs) startedMs -= DAY;

    conversations.push({
      id,
      agentId: agent.id,
      channel: agent.channel,
      caller,
      status,
      startedAt: new Date(startedMs),
      durationSeconds,
      summary: built.summary,
    });
  }

  return { agents, conversations, turns };
}
