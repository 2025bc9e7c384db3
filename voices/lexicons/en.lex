# English pronunciation lexicon shipped with articast.
#
# One entry a line: the written form, a TAB, how to say it, and optionally
# a TAB and flags (case, part). Pronunciations are respellings espeak-ng
# reads well, or espeak-ng phonemes inside [[ ]] (checked with
# `espeak-ng -q -x -v en-us`). See README.md in this directory.
#
# A show's own lexicon ([pipeline] lexicon = FILE) comes first and wins
# over these entries.
!language en

# ---- Names from the news of Pakistan and the region -----------------------
# Urdu names with the izafat ("-e-", "-i-") and Arabic article ("-ul-"),
# which espeak-ng otherwise reads as English letters ("e" as "ee", "i" as
# "eye").
Zarb-e-Azb	[[z'3:b eI 'Vzb]]
Radd-ul-Fasaad	[[r'Vd Ul f@s'A:d]]
Bunyan-un-Marsoos	[[b'UnjA:n Um m3:s'u:s]]
Bunyan-um-Marsoos	[[b'UnjA:n Um m3:s'u:s]]
Tehrik-i-Taliban	[[t@hr'i:k i: t,A:lI'bA:n]]
Tehrik-e-Taliban	[[t@hr'i:k eI t,A:lI'bA:n]]
Tehreek-e-Taliban	[[t@hr'i:k eI t,A:lI'bA:n]]
Fitna-ul-Hindustan	[[f'Itn@ Ul h'IndUst,A:n]]
Fitna-al-Hindustan	[[f'Itn@ Ul h'IndUst,A:n]]
Fitna-al-Khawarij	[[f'Itn@ @l k@w'A:rIdZ]]
Jamaat-ul-Ahrar	[[dZ@m'A:@t Ul @hr'A:r]]
Jamaat	[[dZ@m'A:@t]]
Lashkar-e-Jhangvi	[[l'VSk3 eI dZ'VNvi:]]
Lashkar-e-Taiba	[[l'VSk3 eI t'aIb@]]
Jaish-e-Mohammed	[[dZ'eIS eI mUh'Vm@d]]
Pahalgam	[[p'Vh@lg,A:m]]
Faisalabad	[[f'aIs@l@b,A:d]]
Baloch	[[b@l'oUtS]]
Balochistan	[[b@l'oUtSIst,A:n]]
Khyber Pakhtunkhwa	[[k'aIb3 p,VktUnkw'A:]]
Waziristan	[[w@z'i@rIst,A:n]]
Indo-Pak	[['IndoU p'A:k]]
Qureshi	[[kUr'eISi]]
Rizwan	[[rIzw'A:n]]
Amina	[[@m'i:n@]]
Okafor	[[oUk'A:fO@]]

# ---- Acronyms --------------------------------------------------------------
# Said as a word:
SAARC	[[s'A:rk]]	case
CPEC	[[s'i:pEk]]	case
RATS	rats	case
# Spelled letter by letter (the periods make espeak-ng spell them):
FATF	F.A.T.F	case
TTP	T.T.P	case
IS-K	I.S.K	case
ISKP	I.S.K.P	case
ECO	E.C.O	case
SCO	S.C.O	case
DDR	D.D.R	case
BRI	B.R.I	case
JuA	J.U.A	case
PTI	P.T.I	case
PML-N	P.M.L N	case
ISPR	I.S.P.R	case

# ---- Terms ----------------------------------------------------------------
9/11	nine eleven
911	nine one one
WWII	World War Two	case
WW2	World War Two	case
WWI	World War One	case
WW1	World War One	case
401(k)	four oh one k
403(b)	four oh three b
457(b)	four five seven b
