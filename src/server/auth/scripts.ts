// Which Unicode script a character is written in, and whether a domain label mixes scripts.
// A label such as "pаypal" with one Cyrillic "а" among Latin letters looks like somebody else's
// domain; UTS 39 §5.2 ("Highly Restrictive") allows one script per label, plus the combinations
// a Japanese, Chinese or Korean name really uses. Common (digits, "-") and Inherited (combining
// marks) characters go with any script.
//
// JavaScript can test `\p{Script=…}` but cannot name a character's script, so the script names
// are listed here. A name the running Node's Unicode does not know yet is skipped, never fatal;
// a character of a script missing from the list has no script and is refused by the caller
// (test/input-grammar.test.ts checks that the list covers every character this Node knows).

const SCRIPT_NAMES = `Latin Greek Cyrillic Armenian Hebrew Arabic Syriac Thaana Nko Samaritan Mandaic Devanagari Bengali
  Gurmukhi Gujarati Oriya Tamil Telugu Kannada Malayalam Sinhala Thai Lao Tibetan Myanmar Georgian Hangul Ethiopic
  Cherokee Canadian_Aboriginal Ogham Runic Tagalog Hanunoo Buhid Tagbanwa Khmer Mongolian Limbu Tai_Le New_Tai_Lue
  Buginese Tai_Tham Balinese Sundanese Batak Lepcha Ol_Chiki Glagolitic Tifinagh Han Hiragana Katakana Bopomofo Yi
  Lisu Vai Bamum Syloti_Nagri Phags_Pa Saurashtra Kayah_Li Rejang Javanese Cham Tai_Viet Meetei_Mayek Coptic Braille
  Adlam Ahom Anatolian_Hieroglyphs Avestan Bassa_Vah Bhaiksuki Brahmi Carian Caucasian_Albanian Chakma Chorasmian
  Cuneiform Cypriot Cypro_Minoan Deseret Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs Elbasan Elymaic Gothic
  Grantha Gunjala_Gondi Hanifi_Rohingya Hatran Imperial_Aramaic Inscriptional_Pahlavi Inscriptional_Parthian Kaithi
  Kawi Kharoshthi Khitan_Small_Script Khojki Khudawadi Linear_A Linear_B Lycian Lydian Mahajani Makasar Manichaean
  Marchen Masaram_Gondi Medefaidrin Mende_Kikakui Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mro Multani
  Nabataean Nag_Mundari Nandinagari Newa Nushu Nyiakeng_Puachue_Hmong Old_Hungarian Old_Italic Old_North_Arabian
  Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Osage Osmanya Pahawh_Hmong Palmyrene
  Pau_Cin_Hau Phoenician Psalter_Pahlavi Sharada Shavian Siddham SignWriting Sogdian Sora_Sompeng Soyombo Takri
  Tangsa Tangut Tirhuta Toto Ugaritic Vithkuqi Wancho Warang_Citi Yezidi Zanabazar_Square Garay Gurung_Khema
  Kirat_Rai Ol_Onal Sunuwar Todhri Tulu_Tigalari Sidetic Tolong_Siki Beria_Erfe Tai_Yo`.split(/\s+/);

/** Each script this Node's Unicode knows, most used first, with its test. */
const SCRIPTS: { name: string; test: RegExp }[] = SCRIPT_NAMES.flatMap((name) => {
  try {
    return [{ name, test: new RegExp(`^\\p{Script=${name}}$`, "u") }];
  } catch {
    return []; // a script newer than this Node's Unicode: no character can be in it here
  }
});

const ANY_SCRIPT = /^[\p{Script=Common}\p{Script=Inherited}]$/u;

/** Script sets one label may combine (UTS 39 "Highly Restrictive"): Japanese, Chinese, Korean. */
const ALLOWED_MIXES = [
  new Set(["Latin", "Han", "Hiragana", "Katakana"]),
  new Set(["Latin", "Han", "Bopomofo"]),
  new Set(["Latin", "Han", "Hangul"]),
];

/** The script of one character; "" for Common and Inherited ones; undefined when it is in none this module knows. */
export function scriptOf(char: string): string | undefined {
  if (char < "\u0080") return /[A-Za-z]/.test(char) ? "Latin" : "";
  if (ANY_SCRIPT.test(char)) return "";
  return SCRIPTS.find((script) => script.test.test(char))?.name;
}

/** The scripts a label is written in (Common and Inherited left out), or null when a character has no known script. */
export function scriptsOf(label: string): Set<string> | null {
  const scripts = new Set<string>();
  for (const char of label) {
    const script = scriptOf(char);
    if (script === undefined) return null;
    if (script) scripts.add(script);
  }
  return scripts;
}

/** True when the label's scripts are more than one and not one of the allowed East Asian combinations. */
export function mixesScripts(scripts: Set<string>): boolean {
  if (scripts.size <= 1) return false;
  return !ALLOWED_MIXES.some((allowed) => [...scripts].every((script) => allowed.has(script)));
}

/** The script names this module can tell apart here (for the coverage test). */
export function knownScripts(): string[] {
  return SCRIPTS.map((script) => script.name);
}
