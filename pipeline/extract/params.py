"""Every threshold and tuning constant of the extraction stage, in one place.

Units, unless a comment says otherwise: ``em`` is the page's typical text size
(``Page.em``, px); "of the text width" is a share of the text block's width
(``Page.text_w``); "of the page height" a share of the OCR image's height;
"score" is a rapidfuzz ratio, 0–100; a confidence is 0..1, as in ``Found``.

A confidence set on a value says how sure a rule is of what it read or
inferred: the ones below ``REVIEW_BELOW`` send the value to a person. The
vocabulary (NĐ 30 type names, positions, authority lines) is in ``nd30``.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- review

# Below this confidence an extracted value is flagged for a person to check.
REVIEW_BELOW = 0.8
# Text this small (``Page.em``, px: about 23 at 100 dpi, 35 at 200, 53 at 300) is read too
# unsurely for any value to stand unchecked: on pages scanned at 100 dpi, 1.7 % of fields
# came out wrong at a confidence of 0.8 or more. Every value of a document whose header or
# signature page is so coarse is this sure at most.
COARSE_EM = 28.0
COARSE_AT_MOST = 0.7

# --------------------------------------------------------------------------- page layout

# An e-signature overlay's or a stamp's box: lines under its label at most this far apart
# (middle to middle), starting this close to the label's left edge, at most this wide (em).
OVERLAY_LINE_GAP_EM = 1.6
OVERLAY_ALIGN_EM = 1.5
OVERLAY_MAX_WIDTH_EM = 16.0
# A box's lines share its type: a line more than this many times the size of the box's
# labelled lines (aligned with them, this many em around) is the page's own, such as the
# issuing body set right under an e-signature box.
OVERLAY_SIZE_RATIO = 1.4
OVERLAY_BOX_EM = 8.0

# A gap wider than this many word heights separates two columns. Justified
# body lines stretch a space to about one em (≈ 1.4 word heights).
COLUMN_GAP = 2.0
# A line Tesseract gave no size for: its word height times this (≈ 1 em).
EM_PER_WORD_HEIGHT = 1.3
# The page's em is the median size of its lines of at least this many words …
EM_LINE_MIN_WORDS = 3
# … or, with no such line, its height over this many lines, but not under this (px).
EM_FALLBACK_LINES_PER_PAGE = 65
EM_FALLBACK_MIN_PX = 20.0
# The text block is where wide lines start and end: lines wider than this share
# of the page width, with more letters than this, and at least this many of them.
TEXT_BLOCK_LINE_MIN_WIDTH = 0.5
TEXT_BLOCK_LINE_MIN_LETTERS = 10
TEXT_BLOCK_MIN_LINES = 3
# Too few: A4 margins, in mm (the text block from 32 mm to 17 mm short of the right edge).
A4_WIDTH_MM = 210
A4_LEFT_MARGIN_MM = 32
A4_RIGHT_MARGIN_MM = 17

# --------------------------------------------------------------------------- any block

# A segment with fewer letters than this, and no digit, is a speck, a rule or a
# scrap of seal: nothing a field could be made of.
FIELD_MIN_LETTERS = 2
# Two lines whose middles are closer than this are one line; farther, the next one.
SAME_LINE_EM = 0.3
# The wrapped lines of one block (trích yếu, "V/v …") follow each other at most
# this far apart, middle to middle; a wider gap ends the block.
WRAPPED_LINE_GAP_EM = 1.9
# A parsed value is no surer than its words' OCR plus this: Tesseract's word
# confidence runs low on tokens such as "47/QĐ-UBND" even when read right.
OCR_SLACK = 0.2

# --------------------------------------------------------------------------- header

# Quốc hiệu and Tiêu ngữ: looked for in segments whose middle is in this top share of
# the page height.
LANDMARK_ZONE = 0.3
# The Quốc hiệu: a segment scoring at least this against "CỘNG HÒA XÃ HỘI …" …
NATIONAL_MIN_SCORE = 70
# … or one that holds it (partial score), run together with the issuing body:
# cut before the word scoring this against "cong".
NATIONAL_WITHIN_SCORE = 85
NATIONAL_CONG_SCORE = 75
# The Tiêu ngữ: at most this far below the Quốc hiệu (em), scoring at least this.
MOTTO_MAX_BELOW_EM = 4
MOTTO_MIN_SCORE = 70
# The header's two columns split this far left of the Quốc hiệu (em) …
SPLIT_BEFORE_NATIONAL_EM = 0.5
# … or of the Tiêu ngữ (em) …
SPLIT_BEFORE_MOTTO_EM = 2
# … or, with neither read, this far into the text width.
SPLIT_FALLBACK = 0.42
# The header never goes below this share of the page height.
HEADER_ZONE = 0.42
# A header line sits in one column: a line wider than this share of the text width
# is body text.
HEADER_LINE_MAX_WIDTH = 0.7
# Nothing of the header starts more than this above the Quốc hiệu (em).
HEADER_ABOVE_NATIONAL_EM = 1.5
# Where the header ends when none of its blocks was read (share of the page height).
HEADER_BOTTOM_FALLBACK = 0.12

# --------------------------------------------------------------------------- issuing body

# With no "Số:" nor date line to stand above: the body's lines end this far under
# the Quốc hiệu (em), or with neither, above this share of the page height.
ORGAN_BELOW_NATIONAL_EM = 3.5
ORGAN_ZONE_FALLBACK = 0.2
# A line of the body: this share of capitals at least, this many letters at least …
ORGAN_MIN_CAPS = 0.6
ORGAN_MIN_LETTERS = 2
# … and taller than this (em): not the rule under the body's name.
ORGAN_MIN_HEIGHT_EM = 0.35

# --------------------------------------------------------------------------- number line

# "Số: 47/QĐ-UBND": a token Tesseract's word confidence runs lowest on.
NUMBER_OCR_SLACK = 0.25
# A number set apart from its notation (a blank filled in by hand or stamp) is taken
# only when Tesseract read its own words at least this sure (0..1).
NUMBER_IN_BLANK_SURE = 0.85
# Read less surely, but as plain digits and at least this sure: taken all the same, this
# sure at most (a person checks it).
NUMBER_IN_BLANK_MAYBE = 0.5
NUMBER_IN_BLANK_UNSURE = 0.6
# The day of the date line is taken only when its word was read at least this sure.
DAY_IN_BLANK_SURE = 0.6
# … read less surely, but at least this sure: taken all the same, this sure at most.
DAY_IN_BLANK_MAYBE = 0.5
DAY_IN_BLANK_UNSURE = 0.6
# A number or day taken from the digits-only readings of a blank that all agree: likely,
# written by hand all the same: a person checks it.
NUMBER_REREAD = 0.75
DAY_REREAD = 0.75
# A number line the page's reading gives none of, taken from its line read again alone: its
# words this sure at most (0–100; the two readings disagree, a person checks).
NUMBER_LINE_AGAIN_WORD = 50.0
# A day or month the page read at least this sure was read again only as a check
# (``pipeline.ocr.blanks.sure_dates``): other digits there put it in doubt, this sure at
# most, and never replace it.
DAY_CHECKED_ABOVE = 0.85
DAY_CHECK_DISAGREES = 0.6
# Confidence of a number line with no "Số:" read before it.
NUMBER_NO_PREFIX = 0.85
# Factors on the confidence for each misreading read through:
NUMBER_BACKSLASH = 0.8  # "47\QĐ-UBND"
NUMBER_SLASH_LOST = 0.8  # "47QĐ-UBND"
NUMBER_SLASH_TWICE = 0.7  # "147/7/QĐ-CAT": the slash read again as a 7, 1 or bar
NUMBER_DOTS_FOR_SLASH = 0.7  # "292:UBND-TH", "292.UBND-TH": a faint slash's dots
NUMBER_SLASH_MAYBE_DIGIT = 0.6  # … and the number ends in 1 or 7, which may be the "/"
NUMBER_SOME_DIGITS_AS_LETTERS = 0.85  # "1O5"
NUMBER_ALL_DIGITS_AS_LETTERS = 0.7  # "lO"
NUMBER_ONE_DIGIT = 0.6  # "8" where NĐ 30 prints "08"
NOTATION_COLON_FOR_DASH = 0.8  # "QĐ:UBND"
# A D read broken in two ("QI)-THPT": its bowl apart from its stem).
NOTATION_D_BROKEN = 0.75
NOTATION_DASH_LOST = 0.7  # "QĐUBND"
NOTATION_ORGAN_ONE_OFF = 0.75  # "UBXND", "LBND": a known body a letter off, to be checked
NOTATION_UNKNOWN_ORGAN = 0.8  # "34TB-QLXD": the slash lost, and a body no list here has
NOTATION_TYPE_RUN_IN = 0.5  # a type abbreviation run into the body's, not told apart
NOTATION_UNREADABLE = 0.6  # "115/CV-PAS§3": the number after "Số:" kept, the notation left out
NOTATION_UNKNOWN_OPENING = 0.6  # "Số: 222 CAT-TH": no slash, a space sets the number apart
# A notation's type abbreviation taken for the one it reads as (QD → QĐ), or the one
# the heading gives; one that could be either (HD: Hướng dẫn, or Hợp đồng with Đ lost).
CODE_CORRECTED = 0.9
# A type code with a letter read twice ("QĐĐ"): the single one, to be checked.
CODE_DOUBLED_LETTER = 0.75
# A type code one letter off the heading's, and no code as read ("TIr" under TỜ TRÌNH): the
# heading's, to be checked.
CODE_ONE_LETTER_OFF = 0.75
# A "Số:" line with a notation but neither number nor slash read ("Số: .BCUBND"): the
# blank left empty or its ink lost with the slash; the notation, to be checked.
NOTATION_WITHOUT_NUMBER = 0.75
CODE_AMBIGUOUS = 0.6

# --------------------------------------------------------------------------- date line

# Factors on the confidence for each misreading read through:
DATE_DIGIT_AS_LETTER = 0.85  # "thángl2"
DATE_BRACKET_AS_ONE = 0.85  # … and "]" for 1 ("ngày 2]"): a 1 whose foot is eroded, or a speck
# A date its own text's citations come after cannot be the issue date as read.
DATE_BEFORE_ITS_CITATIONS = 0.5
# Nor can a date after the day the paper is read.
DATE_AFTER_TODAY = 0.5
# A year's word read less surely than this (Tesseract's 0–100) leaves the date this sure:
# the line's other words vouch for nothing of it.
YEAR_SURE = 50.0
YEAR_UNSURE = 0.6
# An issuing body's name with a word no Vietnamese syllable spells.
ORGAN_MISSPELT = 0.6
# A province after its unit word, its marks misread ("TĨNH BAC NINH"), spelt as the 2025 list
# spells it: this sure at most, a change from what was read.
ORGAN_PROVINCE_SPELT = 0.75
DATE_DAY_WITHOUT_ZERO = 0.7  # "ngày 5" where NĐ 30 prints "05"
DATE_MONTH_MISPRINTED = 0.6  # "tháng 3" printed "03", or "01" printed "1"
DATE_IN_WORDS = 0.75  # "ngày mười lăm tháng chín …": rare in print, and what a hand-filled day misreads as
# A year outside these is a misreading.
DATE_MIN_YEAR = 1900
DATE_MAX_YEAR = 2100
# The place is no surer than the date line's OCR plus this.
PLACE_OCR_SLACK = 0.05
# A sure place on no list of communes, wards and provinces (a misreading, or an old
# name); the one listed name a letter away, printed in the document or dossier.
PLACE_OFF_THE_LIST = 0.6
PLACE_LISTED_NEAR = 0.7
# A place whose garbled words ("Buôn VIq Thuột") the issuing body's unit line spells
# ("THÀNH PHỐ BUÔN MA THUỘT"): that spelling, to be checked.
PLACE_FROM_ORGAN = 0.7
# A place name with one word past reading matches the 2025 list's names by its other
# words, at least this many (one alone fits too many names).
LISTED_MIN_WORDS_READ = 2
# A garbled word may end in the next word, the space lost: an end this long that is a
# syllable ("THUỘT" of "W.\LTHUỘT") counts as read (a shorter one is too often chance).
GLUED_SYLLABLE_MIN = 3

# --------------------------------------------------------------------------- công văn subject

# "V/v …" starts at most this far under the number (em), or under the issuing body
# when no number was read.
CV_REACH_EM = 3.5
CV_REACH_NO_NUMBER_EM = 5.5
# Its wrapped lines are centred under it, within this share of the text width, and
# have at least this many letters.
CV_MAX_OFFCENTRE = 0.2
CV_MIN_LETTERS = 2

# --------------------------------------------------------------------------- type heading

# The heading is the first centred capitals line from this above the header's bottom
# to this below it (em) …
TYPE_ABOVE_HEADER_EM = 0.3
TYPE_BELOW_HEADER_EM = 7
# … centred within this share of the text width, with this share of capitals and this
# many letters at least.
TYPE_MAX_OFFCENTRE = 0.15
TYPE_MIN_CAPS = 0.6
TYPE_MIN_LETTERS = 3
# A heading scoring under this against every NĐ 30 type name (diacritics aside) is none.
TYPE_MIN_SCORE = 80
# A heading letter for letter but its accents; a fuzzy one: this times its score / 100.
TYPE_ACCENTS_OFF = 0.95
TYPE_FUZZY = 0.85
# Two type names scoring within this of each other are a close call (THÔNG BÁO /
# THÔNG CÁO): settled by the accents at most this sure, or not at all, this sure.
TYPE_CLOSE_CALL = 8
TYPE_BY_ACCENTS = 0.75
TYPE_UNDECIDED = 0.5
# A type this sure, or surer, needs no reason.
TYPE_SURE = 0.95
# Heading and notation agree: the type is the number's confidence plus this.
TYPE_AGREE_BONUS = 0.05
# Heading and notation disagree: the type's confidence times this, the notation's at most this.
TYPE_DISAGREE = 0.6
NOTATION_DISAGREE = 0.6
# A notation a letter from the heading's abbreviation takes it; any other is doubted.
NOTATION_FROM_HEADING = 0.85
NOTATION_NOT_THE_HEADINGS = 0.6
# No heading read: a "V/v …" and a number make a công văn this sure; either alone (a
# number without a type abbreviation), this sure.
CONG_VAN_SURE = 0.95
CONG_VAN_GUESSED = 0.7
# No heading read: the type from the notation's abbreviation, at most this sure.
TYPE_FROM_NOTATION = 0.7

# --------------------------------------------------------------------------- subject

# The trích yếu: lines centred under the type heading within this share of the text
# width, up to a capitals line (this share of capitals, more letters than this).
SUBJECT_MAX_OFFCENTRE = 0.1
SUBJECT_STOP_CAPS = 0.8
SUBJECT_STOP_LETTERS = 3
# Its first line stands at most this far under the heading, middle to middle (em).
SUBJECT_FIRST_GAP_EM = 3.2
# A line further under the last than this many times the trích yếu's own line
# spacing starts the body.
SUBJECT_SPACING_GROWTH = 1.35
# A line ending nearer the right edge of the text block than this share of its width
# and indented on the left by this much more is a paragraph's first line: the body.
SUBJECT_BODY_RIGHT_MARGIN = 0.03
SUBJECT_BODY_INDENT = 0.035

# --------------------------------------------------------------------------- page number

# A continuation page's number: in this top share of the page height, centred within
# this share of the text width, of at most this many digits.
PAGE_NUMBER_ZONE = 0.09
PAGE_NUMBER_MAX_OFFCENTRE = 0.15
PAGE_NUMBER_MAX_DIGITS = 3

# --------------------------------------------------------------------------- documents split

# That a page opens a document, by how many header landmarks were read (Quốc hiệu,
# Tiêu ngữ, "Số:", date line); fewer than the least here make no first page.
START_BY_LANDMARKS = {2: 0.8, 3: 0.95, 4: 0.99}
START_MIN_LANDMARKS = 2
# A page number at the top and just enough header: believe the header, unsure.
START_DESPITE_PAGE_NUMBER = 0.6
# That a page continues a document: with a page number at the top and no landmark,
# or one; one landmark and no page number; nothing at all; no text at all.
CONTINUES_NUMBERED = 0.99
CONTINUES_NUMBERED_ONE_LANDMARK = 0.9
CONTINUES_ONE_LANDMARK = 0.6
CONTINUES_NOTHING_READ = 0.8
CONTINUES_NO_TEXT = 0.3

# --------------------------------------------------------------------------- signature

# The body's last line is a line of text across the page: starting before this share
# of the text width, ending after this one, with this many letters and this OCR
# confidence at least, less tall than this (em; not a seal read as one huge word).
BODY_LINE_STARTS_BEFORE = 0.25
BODY_LINE_ENDS_AFTER = 0.6
BODY_LINE_MIN_LETTERS = 10
BODY_LINE_MIN_CONFIDENCE = 0.5
BODY_LINE_MAX_HEIGHT_EM = 2.5
# The signature block, below it: segments starting after this share of the text
# width, their middle after this one.
SIGNATURE_COLUMN_FROM = 0.33
SIGNATURE_CENTRE_FROM = 0.5

# The authority line (TM./KT./TL. …): scoring at least this against a known one, sure
# letter for letter, and this sure otherwise; a known prefix before a line read as it
# stands, this sure; a known body after a scrap holding a prefix ("ITM -ỦY BAN …"), this.
AUTHORITY_MIN_SCORE = 85
AUTHORITY_FUZZY = 0.9
# … unless another authority line scores within this many points of it, one with another
# prefix or body: then it is this sure at most.
AUTHORITY_RIVAL_POINTS = 3
AUTHORITY_RIVAL = 0.7
AUTHORITY_PREFIX_ONLY = 0.6
AUTHORITY_GARBLED = 0.7
# That scrap has at most this many letters.
AUTHORITY_SCRAP_MAX_LETTERS = 4
# A prefix read whole after at most this many scraps, and a known body's words after it with
# the seal's lettering between ("RA KT. CHỦ Set TỊCH"): the two, this sure.
AUTHORITY_SCRAPS_BEFORE = 2
AUTHORITY_AMONG_SCRAPS = 0.6
# A head's title with its prefix lost, over a deputy's position ("KT.") or another office's
# ("TL.", or "TUQ."): that prefix, a guess.
AUTHORITY_BY_POSITION = 0.6
# An authority this sure, or surer, needs no reason.
AUTHORITY_SURE = 0.9
# How sure that no authority line is printed when the block opens with a sure position.
AUTHORITY_NONE_PRINTED = 0.9
# A segment less than this under the authority line is a piece of it (em).
AUTHORITY_SAME_LINE_EM = 0.5
# The position is at most this far under the authority line (em).
POSITION_MAX_BELOW_EM = 2.5

# The position: scoring at least this against a usual one; then this sure letter for
# letter but accents or case, this sure otherwise.
POSITION_MIN_SCORE = 85
POSITION_SPELT_OTHERWISE = 0.95
POSITION_FUZZY = 0.7
# A capitals line no usual position reads as, whose letters alone (spaces and marks
# aside) are this near one (rapidfuzz ratio), this much nearer than any other, and this
# many at least: that position, unsure ("CHL-VNHTEV.YXN PHONG": CHÁNH VĂN PHÒNG).
POSITION_LETTERS_MIN_SCORE = 70
POSITION_LETTERS_AHEAD = 5
POSITION_LETTERS_MIN = 8
# A line ending in a usual position (each letter of its end scoring this), or one
# whose first letters a seal took, or a capitals line as read (this share of capitals,
# this many letters at least): unsure.
POSITION_AT_END_SCORE = 90
POSITION_CAPS_MIN = 0.7
POSITION_CAPS_MIN_LETTERS = 4
POSITION_UNSURE = 0.6
# A position read unsurely is the issuing body's head's or deputy's title where it reads
# as that (rapidfuzz ratio, folded) this well at least, and no more than this much worse
# than what it was taken for; then this sure at most.
# A doubted notation's unknown body this many letters off the one body the dossier's other
# notations read surely (and half its letters at most) is that body, this sure at most.
NOTATION_BODY_OFF = 2
NOTATION_BODY_FROM_DOSSIER = 0.6
POSITION_OF_BODY_MIN = 50
POSITION_OF_BODY_SLACK = 10
POSITION_OF_BODY = 0.6
# A position this sure, or surer, needs no reason.
POSITION_SURE = 0.95
# Letter for letter a usual position: a seal over it lowers word confidence, so more slack.
POSITION_EXACT_OCR_SLACK = 0.35
# Two position-like lines, the second at most this far under the first (em), with this
# share of capitals and this many letters at least: the first is the authority line
# without its prefix; the position is then at most this sure.
PREFIXLESS_NEXT_LINE_EM = 1.6
PREFIXLESS_MIN_CAPS = 0.6
PREFIXLESS_MIN_LETTERS = 4
PREFIXLESS_POSITION = 0.6
# Under "TM. ỦY BAN …" the chairman signs: a "CHỦ TỊCH" read less surely than this
# (specks before it, not a "PHÓ") is his, this sure.
CHAIRMAN_UNSURE_BELOW = 0.8
CHAIRMAN_UNDER_TM = 0.85
# … and, with no position read, a line under it ending in "TỊCH", this sure.
CHAIRMAN_BY_TICH = 0.6
# Under "KT. CHỦ TỊCH" a deputy signs: a position read less surely than this (or the
# head's own) is "PHÓ CHỦ TỊCH", this sure.
DEPUTY_UNSURE_BELOW = 0.7
DEPUTY_UNDER_KT = 0.7
# No position read at all: the one the authority line implies (TM. ỦY BAN NHÂN DÂN: CHỦ
# TỊCH; KT. CHỦ TỊCH: PHÓ CHỦ TỊCH), a guess; the committee's chairman may sign under a
# "KT." line lost too.
POSITION_BY_AUTHORITY = 0.6

# The signer's name: at least this far under the position (the signature and seal
# between; em), centred under it within this share of the text width.
NAME_BELOW_POSITION_EM = 2.5
NAME_MAX_OFFCENTRE = 0.2
# A name line has this many words, fewest and most, and a name score (0..1: the share
# of its words that look like a name) of this at least.
NAME_MIN_WORDS = 2
NAME_MAX_WORDS = 6
NAME_MIN_SCORE = 0.6
# Its OCR confidence times this when not every word is name-like; and at most its least
# sure word's OCR confidence and this.
NAME_NOT_ALL_NAMELIKE = 0.8
NAME_WORD_SLACK = 0.2
# A word of the name spelt as no Vietnamese syllable nor an ethnic group's surname this
# reading knows, and read under this word confidence (0–100; "Râyv" at 66: a y's tail read
# as a v), this sure at most. Read surely, such a word is a name's own ("Y Bih").
NAME_UNSPELT_BELOW = 85.0
NAME_UNSPELT = 0.7
# A mark glued to the end of a name's word, or a gap between two of its words this many
# word heights wide (a word's space is about 0.4): a letter or a word may be lost; this
# sure at most.
NAME_GAP_LINES = 0.9
NAME_PART_LOST = 0.7
# Its first word a surname but for a letter's case ("LỲ"): that surname, this sure at most.
NAME_SURNAME_RECASED = 0.75
# No name told on any line, its surname read by shape alone.
NAME_BY_SHAPE_ONLY = 0.5

# --------------------------------------------------------------------------- names

# Occurrences of a phrase: as many words scoring this (letters only, diacritics and
# spaces aside), or a phrase of this many letters or more a letter away; one word more
# or fewer (a space read or lost) only with the same letters.
VOTE_MIN_SCORE = 80
VOTE_ONE_EDIT_MIN_LETTERS = 4
# A spelling Vietnamese rules out ("trieu") weighs this much of an occurrence.
VOTE_IMPLAUSIBLE_WEIGHT = 0.8
# A known first line of an issuing body ("ỦY BAN NHÂN DÂN") scoring this is taken whole;
# the document's own naming of a unit, scoring this against a garbled line, replaces it.
ORGAN_HEAD_MIN_SCORE = 85
ORGAN_NAMING_MIN_SCORE = 85
# A name or place respelt as most of its occurrences agree, this sure; doubted when
# they disagree, at most this sure.
REPAIRED = 0.85
REPAIRED_DOUBTED = 0.75
# A lone "ỦY BAN NHÂN DÂN" given its unit line by the body; left so, at most this sure.
ORGAN_UNIT_FROM_BODY = 0.7
ORGAN_UNIT_MISSING = 0.5
# A lone unit line given the body's name above it by the document's text; left so.
ORGAN_HEAD_FROM_TEXT = 0.7
ORGAN_HEAD_MISSING = 0.5
# An issuing body read as only the first lines of the one the dossier's other documents
# name ("BỘ CÔNG AN" beside "BỘ CÔNG AN CÔNG AN TỈNH NINH BÌNH"): a line may be
# lost, or the document be the superior body's own; at most this sure.
ORGAN_SHORTER_THAN_DOSSIER = 0.6
# A doubted issuing body or signer's name, words lost or garbled, taken from the one the
# dossier's other documents read surely and that fits what is read: a guess, for review.
ORGAN_FROM_DOSSIER = 0.6
NAME_FROM_DOSSIER = 0.6
# A signer's name read surely whose words, a letter off at most, open a longer one the
# dossier's other documents are signed with ("Vũ Việt" beside "Võ Việt Tùng"): this sure.
NAME_SHORTER_THAN_DOSSIER = 0.6
# An issuing body's word this long that the dossier's reads a letter off still fits it
# ("NGHĨ" for NGHĨA); a name's words must agree folded.
LETTER_OFF_MIN = 4
# A unit line under it without its unit word (XÃ, PHƯỜNG …), at most this sure.
ORGAN_UNIT_WORD_LOST = 0.6
# A unit line with scraps before its unit word ("CƠ #!© HIÀIHÂU XÃ HẢI HẬU"), a listed place
# after it: the scraps left out, at most this sure.
ORGAN_UNIT_AFTER_SCRAPS = 0.6

# The signer's name with scraps before it left out, at least this sure.
NAME_SCRAPS_LEFT_OUT = 0.85
# A name line a seal's lettering crossed: what is left at most this sure; with its
# surname guessed from a garbled word, at most this.
NAME_UNDER_SEAL = 0.75
NAME_SURNAME_GUESSED = 0.6
# A first word that is no surname, or a middle name too: a word may be lost.
NAME_WORD_LOST = 0.7
# A name's word with a vowel read twice ("Khặăm"), kept with the marked reading ("Khặm"):
# a guess at which reading is right, to be checked.
NAME_VOWEL_READ_TWICE = 0.6
# A doubted name read elsewhere in the document or dossier: this sure, or surer if it
# was read so already.
NAME_ELSEWHERE = 0.7
# A name's last word no syllable spells is the one read elsewhere after the same words
# that ends in this many of its letters, marks and all ("Xehĩa" → Nghĩa).
GARBLED_SAME_END = 3
# A surname drawn that finds less of its ink than this is no reading.
SHAPE_AT_LEAST = 0.5
# A surname this far ahead of the next is likelier; so close, as likely.
SHAPE_AHEAD = 0.05
# A surname matched by its shape, ahead of the next; otherwise, or with a middle name too.
NAME_SHAPE_AHEAD = 0.7
NAME_SHAPE_UNSURE = 0.6
# A name no surer than this is not lent to another document.
GUESS_AT_LEAST = 0.6
# A garbled surname settled by the dossier's other names alike.
NAME_SURNAME_FROM_DOSSIER = 0.6
# No name read: the one name the dossier's documents carry under the same post.
NAME_SAME_POST = 0.5
