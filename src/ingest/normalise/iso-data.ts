/**
 * Reference code lists for the normalisers: ISO 4217 currencies and ISO 3166-1 alpha-2 countries.
 * Written out by hand (no package, no network): plain data, no logic beyond splitting the lists, no I/O.
 * Must never contain a code that is not a currency / officially assigned country: other
 * acceptances (UK, XK, …) live in the normaliser that makes them, with the reason beside them.
 */

/** Splits a whitespace-separated block of codes; keeps the lists below readable, one letter a line. */
function words(block: string): readonly string[] {
  return Object.freeze(block.trim().split(/\s+/));
}

/**
 * Active ISO 4217 currency codes (List One) that a payout or sale can be denominated in, as of
 * late 2026. Deliberately left out although ISO lists them: fund codes (BOV, CHE, CHW, CLF, COU,
 * MXV, USN, UYI, UYW), precious metals (XAU, XAG, XPD, XPT), bond-market units (XBA–XBD),
 * supranational units (XDR, XSU, XUA) and the testing / no-currency codes (XTS, XXX).
 * Crypto tickers (BTC, USDT, …) are not ISO 4217 and are not here either.
 */
export const ISO_4217_CURRENCIES: readonly string[] = words(`
AED AFN ALL AMD AOA ARS AUD AWG AZN
BAM BBD BDT BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
CAD CDF CHF CLP CNY COP CRC CUP CVE CZK
DJF DKK DOP DZD
EGP ERN ETB EUR
FJD FKP
GBP GEL GHS GIP GMD GNF GTQ GYD
HKD HNL HTG HUF
IDR ILS INR IQD IRR ISK
JMD JOD JPY
KES KGS KHR KMF KPW KRW KWD KYD KZT
LAK LBP LKR LRD LSL LYD
MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN
NAD NGN NIO NOK NPR NZD
OMR
PAB PEN PGK PHP PKR PLN PYG
QAR
RON RSD RUB RWF
SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL
THB TJS TMT TND TOP TRY TTD TWD TZS
UAH UGX USD UYU UZS
VED VES VND VUV
WST
XAF XCD XCG XOF XPF
YER
ZAR ZMW ZWG
`);

export const ISO_4217_CURRENCY_SET: ReadonlySet<string> = new Set(ISO_4217_CURRENCIES);

/**
 * Codes withdrawn from ISO 4217 that networks and old exports still send, with the code that
 * replaced each. Not accepted: they only let the rejection name the successor.
 */
export const WITHDRAWN_CURRENCIES: Readonly<Record<string, string>> = {
  ANG: 'XCG', // Netherlands Antillean guilder -> Caribbean guilder (2025)
  BGN: 'EUR', // Bulgaria joined the euro on 2026-01-01
  BYR: 'BYN',
  CUC: 'CUP', // Cuban monetary unification (2021)
  EEK: 'EUR',
  HRK: 'EUR', // Croatia joined the euro on 2023-01-01
  LTL: 'EUR',
  LVL: 'EUR',
  MRO: 'MRU',
  SLL: 'SLE', // Sierra Leone redenomination (2022)
  STD: 'STN',
  VEF: 'VES',
  ZMK: 'ZMW',
  ZWL: 'ZWG', // Zimbabwe Gold (2024)
};

/**
 * Every officially assigned ISO 3166-1 alpha-2 code (249). Exceptionally reserved codes (UK, EU,
 * EL, AC, …) and user-assigned ones (XK, XX, …) are not part of it.
 */
export const ISO_3166_ALPHA2: readonly string[] = words(`
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ
EC EE EG EH ER ES ET
FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU
ID IE IL IM IN IO IQ IR IS IT
JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ
LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NF NG NI NL NO NP NR NU NZ
OM
PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA
RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
UA UG UM US UY UZ
VA VC VE VG VI VN VU
WF WS
YE YT
ZA ZM ZW
`);

export const ISO_3166_ALPHA2_SET: ReadonlySet<string> = new Set(ISO_3166_ALPHA2);
