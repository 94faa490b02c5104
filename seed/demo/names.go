package demo

import (
	"slices"
	"strings"

	"github.com/sarhad/sarhad"
)

// culture is a pool of naming conventions: given names, family or tribal names and a nationality.
type culture struct {
	nationality string // ISO alpha-3, "" for stateless
	male        []string
	female      []string
	surnames    []string
	femaleLast  []string // family names used by women, when they differ
}

var (
	punjabMale = []string{"Muhammad Asif", "Muhammad Yousaf", "Muhammad Imran", "Muhammad Arshad", "Muhammad Rizwan",
		"Muhammad Hussain", "Ghulam Mustafa", "Ghulam Rasool", "Abdul Rehman", "Zia ur Rehman", "Ali Raza", "Ahmed",
		"Imran", "Kashif", "Tariq", "Zahid", "Shahid", "Naveed", "Waqas", "Usman", "Adnan", "Faisal", "Javed",
		"Nadeem", "Rashid", "Sajid", "Khalid", "Zubair", "Hamza", "Irfan", "Amjad", "Aslam", "Iqbal", "Sarfraz",
		"Azhar", "Mushtaq", "Shafiq", "Tanveer", "Zeeshan", "Bilal", "Asad", "Umar", "Haider", "Mohsin", "Shahzad",
		"Qaiser", "Rafiq", "Hafeez", "Tariq Mehmood", "Khalid Mehmood"}
	punjabFemale = []string{"Shazia", "Rukhsana", "Nasreen", "Samina", "Naseem", "Parveen", "Kausar", "Asma", "Ayesha",
		"Fatima", "Sadia", "Nazia", "Rubina", "Bushra", "Amna", "Saima", "Sumaira", "Farzana"}
	balochMale = []string{"Abdul Ghafoor", "Jan Muhammad", "Dad Karim", "Khuda Bakhsh", "Sher Jan", "Noor Ahmed",
		"Allah Bakhsh", "Hammal", "Abdul Wahid", "Nawaz", "Dost Muhammad", "Pir Jan", "Mir Hassan", "Rahim Bakhsh",
		"Ghulam Qadir", "Yar Muhammad"}
	pashtunMale = []string{"Gul Khan", "Nasrullah", "Rahmatullah", "Hayatullah", "Zabihullah", "Naqibullah",
		"Ahmad Shah", "Wali Khan", "Mirwais", "Farid", "Sardar Khan", "Abdul Qadir", "Noor Rahman", "Habibullah",
		"Samiullah", "Ajmal", "Khan Zaman", "Shah Wali", "Mohammad Nabi", "Ghulam Sakhi", "Qasim", "Abdul Basir"}
	afghanFemale = []string{"Fereshta", "Mariam", "Nazia", "Gulalai", "Shabana", "Zarghona", "Laila", "Mahbooba",
		"Sabira", "Nargis", "Wahida", "Nooria"}
	banglaMale = []string{"Mohammad Rafiqul", "Abdul Karim", "Shafiqul", "Mizanur", "Habibur", "Kamal", "Jahangir",
		"Abul Kalam", "Mohammad Selim", "Nurul", "Anwar", "Delwar"}
	banglaFemale = []string{"Fatema", "Rokeya", "Nasima", "Shirin", "Taslima", "Rahima", "Moriom", "Salma",
		"Ayesha", "Parvin", "Shahnaz", "Rina", "Jesmin", "Sumi", "Nazma", "Laboni"}
)

var (
	punjabi = culture{nationality: "PAK", male: punjabMale, female: punjabFemale,
		surnames: []string{"Chaudhry", "Butt", "Gondal", "Warraich", "Cheema", "Bajwa", "Jutt", "Virk", "Malik", "Awan",
			"Mughal", "Qureshi", "Sheikh", "Arain", "Gujjar", "Tarar", "Sandhu", "Hussain", "Rehman", "Yousaf", "Ahmed",
			"Iqbal", "Javed", "Raja", "Kiyani", "Mirza"},
		femaleLast: []string{"Bibi", "Kausar", "Parveen", "Akhtar", "Begum", "Chaudhry", "Butt", "Malik"}}
	karachiite = culture{nationality: "PAK", male: punjabMale, female: punjabFemale,
		surnames:   []string{"Siddiqui", "Ansari", "Memon", "Baig", "Shaikh", "Khan", "Qureshi", "Jatoi", "Soomro", "Mallah"},
		femaleLast: []string{"Bibi", "Begum", "Akhtar", "Khan", "Siddiqui"}}
	baloch = culture{nationality: "PAK", male: balochMale, female: []string{"Mah Gul", "Bibi Hani", "Zarina", "Mahnaz", "Sakina"},
		surnames:   []string{"Baloch", "Rind", "Dashti", "Gichki", "Kalmati", "Notezai", "Sanjrani", "Mengal", "Zehri", "Buledi"},
		femaleLast: []string{"Baloch", "Bibi"}}
	iranianBaloch = culture{nationality: "IRN", male: balochMale, female: []string{"Zarina", "Mahnaz"},
		surnames: []string{"Rigi", "Shahbakhsh", "Narouei", "Barahouei", "Sarbazi", "Kahrazeh"}}
	persian = culture{nationality: "IRN", male: []string{"Reza", "Hossein", "Mohammad Reza", "Ali Akbar", "Mehdi", "Saeed",
		"Hamid", "Majid", "Jafar", "Karim", "Hiwa", "Saman", "Farhad", "Davood"},
		female:   []string{"Maryam", "Zahra", "Fatemeh", "Leila"},
		surnames: []string{"Ahmadi", "Rahimi", "Karimi", "Rezaei", "Mohammadi", "Hosseini", "Azizi", "Moradi", "Jafari", "Shirzadi"}}
	pashtun = culture{nationality: "PAK", male: pashtunMale, female: afghanFemale,
		surnames:   []string{"Khan", "Afridi", "Shinwari", "Mohmand", "Yousafzai", "Achakzai", "Kakar"},
		femaleLast: []string{"Bibi", "Khan"}}
	afghan = culture{nationality: "AFG", male: pashtunMale, female: afghanFemale,
		surnames: []string{"Noorzai", "Durrani", "Popalzai", "Barakzai", "Alizai", "Shinwari", "Hazara", "Sultani",
			"Haidari", "Amiri", "Rahimi", "Jafari"}}
	bangladeshi = culture{nationality: "BGD", male: banglaMale, female: banglaFemale,
		surnames:   []string{"Islam", "Hossain", "Rahman", "Uddin", "Miah", "Sarkar", "Chowdhury", "Alam", "Molla", "Sheikh"},
		femaleLast: []string{"Begum", "Khatun", "Akter", "Akhter", "Sultana"}}
	rohingya = culture{nationality: "", male: []string{"Mohammed Ayub", "Nur Kamal", "Mohammed Salim", "Abdul Shukkur",
		"Nurul Amin", "Hamid Hussain"},
		female:     []string{"Rashida", "Hasina", "Sanjida", "Amina", "Nur", "Hamida", "Rabeya", "Sokina", "Jamalida"},
		surnames:   []string{"Ullah", "Alam", "Amin", "Hussain"},
		femaleLast: []string{"Begum", "Khatun", "Bibi"}}
)

// variantFamilies are transliterations of the same name; aliases are drawn from them.
var variantFamilies = [][]string{
	{"Muhammad", "Mohammad", "Mohammed", "Muhammed"},
	{"Hussain", "Husain", "Hussein", "Hossain", "Hossein"},
	{"Chaudhry", "Choudhry", "Chaudhary", "Chowdhury"},
	{"Rehman", "Rahman"},
	{"Yousaf", "Yusuf", "Yousuf", "Yousef"},
	{"Ahmed", "Ahmad"},
	{"Ghulam", "Gholam"},
	{"Qureshi", "Quraishi"},
	{"Sheikh", "Shaikh"},
	{"Khalid", "Khaled"},
	{"Javed", "Javaid"},
	{"Tariq", "Tarik"},
	{"Noor", "Nur"},
	{"Bakhsh", "Bux", "Baksh"},
	{"Akter", "Akhter", "Akhtar"},
	{"Usman", "Osman"},
	{"Rashid", "Rasheed"},
	{"Nadeem", "Nadim"},
	{"Naveed", "Navid"},
	{"Hafeez", "Hafiz"},
	{"Rasool", "Rasul"},
	{"Mustafa", "Mostafa"},
	{"Shafiq", "Shafique"},
	{"Rafiq", "Rafique"},
	{"Haider", "Hyder"},
	{"Reza", "Raza"},
	{"Fatema", "Fatima", "Fatemeh"},
	{"Mariam", "Maryam"},
	{"Ayesha", "Aisha"},
	{"Karim", "Kareem"},
	{"Rahim", "Raheem"},
	{"Qadir", "Kadir"},
	{"Zubair", "Zubayr"},
	{"Faisal", "Faysal"},
	{"Iqbal", "Ikbal"},
	{"Parveen", "Parvin"},
	{"Nasreen", "Nasrin"},
	{"Kausar", "Kawsar"},
	{"Shahzad", "Shehzad"},
	{"Zeeshan", "Zishan"},
	{"Mehmood", "Mahmood", "Mahmud"},
	{"Khatun", "Khatoon"},
	{"Begum", "Begam"},
	{"Islam", "Eslam"},
}

// nicknames are the noms de guerre facilitators are known by.
var nicknames = []string{"Bhola", "Kaka", "Pehlwan", "Haji Sahib", "Doctor", "Malik Sahib", "Bhai Jan", "Agent",
	"Chacha", "Lala", "Ustad", "Shah Ji", "Mama", "Sethi"}

func variantFamily(tok string) []string {
	for _, f := range variantFamilies {
		if slices.Contains(f, tok) {
			return f
		}
	}
	return nil
}

// transliterate returns another spelling of name, changing every token that has variants, or ""
// when no token has any.
func (b *builder) transliterate(name string) string {
	toks := strings.Fields(name)
	changed := false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t == "ur" && i+1 < len(toks) && toks[i+1] == "Rehman":
			toks[i], toks[i+1] = "ur-", "Rahman"
			changed = true
			i++
		case variantFamily(t) != nil:
			f := variantFamily(t)
			for {
				v := pick(b, f)
				if v != t {
					toks[i] = v
					break
				}
			}
			changed = true
		}
	}
	if !changed {
		return ""
	}
	return strings.ReplaceAll(strings.Join(toks, " "), "ur- ", "ur-")
}

// name returns a full name, a father's name and aliases for a person of culture c.
func (b *builder) name(c culture, g sarhad.Gender, nickname bool) (name, father string, aliases []string) {
	var first, last string
	if g == sarhad.GenderFemale {
		first = pick(b, c.female)
		if len(c.femaleLast) > 0 {
			last = pick(b, c.femaleLast)
		} else {
			last = pick(b, c.surnames)
		}
	} else {
		first, last = pick(b, c.male), pick(b, c.surnames)
	}
	name = first + " " + last
	if strings.HasSuffix(first, " "+last) {
		name = first
	}
	fatherLast := last
	if g == sarhad.GenderFemale || c.nationality == "BGD" || c.nationality == "" {
		fatherLast = pick(b, c.surnames)
	}
	for father = name; father == name; {
		father = pick(b, c.male) + " " + fatherLast
	}
	if a := b.transliterate(name); a != "" {
		aliases = append(aliases, a)
	} else if g == sarhad.GenderMale && b.chance(0.3) {
		// Known without his family name.
		aliases = append(aliases, first)
	}
	if strings.HasPrefix(name, "Muhammad ") && b.chance(0.5) {
		aliases = append(aliases, strings.TrimPrefix(name, "Muhammad "))
	}
	if nickname && b.chance(0.5) {
		aliases = append(aliases, pick(b, nicknames)+" "+strings.Fields(last)[0])
	}
	return name, father, aliases
}
