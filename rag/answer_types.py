"""What kind of thing a question asks for, and whether a sentence holds one."""

from __future__ import annotations

import re
from enum import Enum

from .analysis import fold


_YEAR_DIGITS = r"(?:1[89]|20)\d\d"
_MONTH_NAMES = ("january|february|march|april|may|june|july|august|september|october|november|december|enero|"
                "febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|janeiro|"
                "fevereiro|marco|maio|junho|julho|setembro|outubro|novembro|dezembro")
_MONTHS = _MONTH_NAMES + "|setiembre"  # Peru's and Uruguay's spelling, read where a number names a day


class Expect(Enum):
    PERSON = "person"
    PENALTY = "penalty"
    DURATION = "duration"
    MONEY = "money"
    PERCENT = "percent"
    NUMBER = "number"  # a count: "how many", "cuántos"
    AMOUNT = "amount"  # "how much": a number, or "over half", "many times"
    DATE = "date"
    PLACE = "place"
    DEFINITION = "definition"
    YESNO = "yes/no"  # "Is…", "¿Se castiga…?", "Pode…?": the sentence that settles it
    OTHER = "other"


# "How was it determined how many…": the question asks how, not how many.
_ASKS_OTHERWISE = re.compile(r"^\W*(how (?!many|much)\w+|why|what (?!amount)|which|who|where|when|por que|porque|"
                             r"como|quien|donde|cuando|quem|onde|quando)\b")
_CUES: list[tuple[Expect, re.Pattern]] = [
    # First: "what sentence" is a penalty, not a sentence of the text; "qué pena prevé".
    (Expect.PENALTY, re.compile(r"\b((what|which) (is |are |was |were )?(the )?(maximum |minimum )?"
                                r"(sentence|penalty|penalties|punishment|prison term)|"
                                r"(que|cual|cuales|qual|quais) (es |e |sao |son )?(la |a |as |las )?"
                                r"(pena|penas|condena|castigo|sancion|sanciones|condenacao|punicao|sancao|"
                                r"sancoes))\b")),
    # Before NUMBER: "how much money" and "what percentage" ask for a number of a kind.
    (Expect.DURATION, re.compile(r"\b(how long|for how long|what period|cuanto tiempo|por cuanto tiempo|"
                                 r"cuanto dura|que duracion|quanto tempo|por quanto tempo|quanto dura|"
                                 r"qual a duracao)\b")),
    (Expect.MONEY, re.compile(r"\b(how much money|(what|which) amount of money|what fine|which fine|how much funding|"
                              r"how much (do|does|did|is|was|are|were|will|would) (\w+ ){1,6}"
                              r"(charge|cost|pay|paid|earn|spend|spent|fee)|how much (is|was) the (fee|price|cost)|"
                              r"cuanto (cobra|cobran|cobro|cobraron|cuesta|cuestan|costo|paga|pagan|pago|pagaron)|"
                              r"quanto (cobra|cobram|cobrou|custa|custam|custou|paga|pagam|pagou)|"
                              r"(maximum|minimum) fine|multa (maxima|minima)|"
                              r"cuanto dinero|que monto|que multa|cual es la multa|quanto dinheiro|qual o valor|"
                              r"qual a multa|que valor)\b")),
    (Expect.PERCENT, re.compile(r"\b(what percentage|what percent|what share|what proportion|que porcentaje|"
                                r"que proporcion|que porcentagem|qual a porcentagem|qual o percentual|"
                                r"que percentual)\b")),
    (Expect.NUMBER, re.compile(r"\b(how many|cuant[oa]s|quant[oa]s)\b")),
    (Expect.AMOUNT, re.compile(r"\b(how much|what amount|cuant[oa]|quant[oa])\b")),
    (Expect.DATE, re.compile(r"\b(when|what year|which year|what date|which date|since when|cuando|que ano|en que ano|"
                             r"que fecha|en que fecha|que data|em que data|qual a data|"
                             r"desde cuando|quando|em que ano|desde quando)\b")),
    (Expect.PERSON, re.compile(r"\b(who|whom|whose|quien(es)?|quem)\b|\b(which|what|que|qual|cual)\s+(\w+\s+)?"
                               r"(minister|ministro|ministra|prosecutor|fiscal|procurador|promotor|commander|"
                               r"comandante|director|diretor|directora|president|presidente|ambassador|embajador|"
                               r"embaixador|officer|oficial|judge|juez|juiz|secretary|secretario|undersecretary|"
                               r"subsecretario)\b")),
    (Expect.PLACE, re.compile(r"\b(where|donde|onde|in which city|in which country)\b")),
    (Expect.DEFINITION, re.compile(r"^\W*(what is|what are|what's|que es|que son|o que e|que e)\b")),
    (Expect.YESNO, re.compile(r"^\W*(is|are|was|were|do|does|did|can|could|has|have|had|will|would|should|must|may|"
                              r"se|es|son|esta|estan|puede|pueden|existe|existen|hay|tiene|tienen|debe|deben|"
                              r"e|sao|pode|podem|existem|ha|tem|deve|devem)\b")),
]
# A question that turns on a negation or a concession ("even without profit", "aunque no busque
# lucro") is settled by a sentence that says it ("aun sin ánimo de lucro").
_NEGATION = re.compile(r"\b(not|no|without|never|even if|even though|unless|sin|aun|aunque|nunca|salvo|"
                       r"nao|sem|mesmo|nem|exceto)\b")
# "List…" asks for a list only as the opening imperative: "placed on the dirty list" does not.
_LIST_CUE = re.compile(r"\b(which|what|cuales|que|quais|quienes|quem sao)\s+(\w+)(?:\s+(\w+))?"
                       r"|^\W*(?:please\s+|por favor,?\s+)?(list|enumera|enumere|enumerar|liste|listar|lista)\b")
_NOT_PLURAL = {"does", "was", "has", "is", "this", "its", "his", "as", "were", "us", "bus", "status", "process",
               "business", "address", "access", "analysis", "crisis", "basis", "tres", "dos", "mas", "pais"}
_DETERMINERS = {"the", "two", "three", "four", "main", "other", "los", "las", "os", "as", "dos", "duas", "tres",
                "principales", "principais", "otros", "outros", "were", "are", "son", "sao"}

# Numbers written as words, compounds included ("cuarenta y ocho", "twenty-five", "vinte e um").
_UNIT_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
               "sixty|seventy|eighty|ninety|hundred|thousand|uno|una|un|dos|tres|cuatro|cinco|seis|siete|ocho|"
               "nueve|diez|once|doce|quince|veinte|treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|noventa|cien|"
               "ciento|mil|um|uma|dois|duas|quatro|sete|oito|nove|dez|onze|doze|quinze|vinte|trinta|quarenta|cinquenta|"
               "sessenta|oitenta|cem|cento")
_NUMBER_WORDS = rf"(?:{_UNIT_WORDS})(?:(?:[- ]| y | e | and )(?:{_UNIT_WORDS}))*"
_DURATION = re.compile(
    r"\b(\d+|" + _NUMBER_WORDS + r")[- ](years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centur(y|ies)|"
    r"anos?|años|mes(es)?|semanas?|d[ií]as?|horas?|minutos?|segundos?|d[ée]cadas?|siglos?|s[ée]culos?)\b|"
    r"\b(1[89]|20)\d\d\s*[-–]\s*((1[89]|20)\d\d|\d\d)\b|"
    r"\b(from|since|desde|de|entre|between) (1[89]|20)\d\d (to|until|till|and|hasta|a|y|ate|até|e) (1[89]|20)\d\d\b",
    re.I)
_MONEY = re.compile(r"(US|R|CLP|S/)?[$€£]\s?\d|\b(\d[\d.,]*|" + _NUMBER_WORDS + r")\s*"
                    r"(million|billion|millones|mil millones|billones|mil|milh[õo]es|bilh[õo]es)?\s*(de\s+)?"
                    r"(dollars|d[óo]lares|euros|pesos|reais|soles|quetzales|bol[íi]vares|USD|EUR|CLP|BRL|UF|UTM|"
                    r"unidades tributarias|sueldos vitales|sal[áa]rios m[íi]nimos)\b", re.I)
# What a sentence imposes: a prison term, a fine, a disqualification ("reclusión menor en su grado
# medio", "Pena - reclusão, de dois a oito anos, e multa", "sentenced to 12 years").
_PENALTY = re.compile(r"\b(prison|imprisonment|imprisoned|jail|sentenced to|life sentence|fined?|probation|"
                      r"reclusi[óo]n|presidio|prisi[óo]n|multa|inhabilitaci[óo]n|condenad[oa] a|"
                      r"reclus[ãa]o|deten[çc][ãa]o|pris[ãa]o|inabilita[çc][ãa]o|condenad[oa] a)\b", re.I)
_PERCENT = re.compile(r"\d\s?%|\b(per ?cent|por ciento|por cento|percent|half|third|quarter|majority|mitad|"
                      r"tercio|cuarto|mayoria|metade|terco|quarto|maioria)\b", re.I)
# "How much" is answered by a number or by a quantity in words ("over half", "many times").
_QUANTITY = re.compile(r"\b(half|most|many|much|few|several|numerous|little|vast|mitad|mayoria|muchos|muchas|mucho|"
                       r"pocos|pocas|varios|varias|metade|maioria|muitos|muitas|muito|poucos|poucas|varios|varias)\b",
                       re.I)
# A number that names rather than counts: a year, or one after an article, a law, a month.
_YEAR = re.compile(_YEAR_DIGITS)
_YEAR_WORD = re.compile(rf"\b{_YEAR_DIGITS}\b(?!\s*(%|per|por))")
_YEAR_START = re.compile(rf"\b{_YEAR_DIGITS}")  # "1970" of "the 1970s" too
_WHEN = re.compile(r"\b(in|en|em|no|na|de|del|da|do|of|since|desde|from|until|hasta|ate|year|ano|to|a|and|y|e|"
                   r"or|o|ou|between|entre|during|durante|para|before|after|antes|despues|depois)\s*$")
_NAMED_BY = re.compile(
    r"\b(art|arts|article|articles|articulo|articulos|artigo|artigos|law|ley|lei|decree|decreto|no|n|number|numero|"
    r"inciso|paragraph|section|resolution|resolucion|resolucao|portaria|" + _MONTHS + r"|sept)\.?\s*[o°]?\s*$|§\s*$")
_NUMBER = re.compile(r"\b\d[\d.,]*\b|\b(" + _NUMBER_WORDS + r"|dozens?|hundreds?|thousands?|dezenas|centenas|"
                     r"decenas|cientos|miles|milhares|none|no one|zero|ninguno|ninguna|nadie|cero|nenhum|nenhuma|"
                     r"ninguem)\b", re.I)
_ARTICLES = {"un", "una", "uno", "um", "uma"}  # "un grupo" counts nothing
_DATE = re.compile(rf"\b{_YEAR_DIGITS}\b|\b({_MONTH_NAMES})\b", re.I)
_NAME = re.compile(r"\b[A-ZÁÉÍÓÚÑÇ][a-záéíóúñçãõâêô’'-]+(?:\s+(?:de|del|da|dos|la)?\s*"
                   r"[A-ZÁÉÍÓÚÑÇ][a-záéíóúñçãõâêô’'-]+)+")
# Capitalised words of titles, bodies and places (folded): a run of them is not a person's name.
INSTITUTION_WORDS = set("""
affairs agency america american ambassador association attorney bureau caribbean center centre chief city
commander commission committee conference congress convention cooperation council court crime day deputy
department development director directorate division east european executive federal foreign general
government group high human institute interior international justice latin law minister ministry mission
national nations network north office organization organisation parties partnerships people police
president programme program prosecutor protocol public republic rights secretariat secretary security
service session south specialist state states team the union united university west working world
migrant migrants migration smuggling trafficking traffickers money laundering anti crime crimes organised
organized beings persons protection victims victim assistance border borders force task unit units
ministerio publico fiscalia procuraduria policia nacional republica naciones nacoes unidas unidos estados
estado secretaria oficina escritorio tribunal corte suprema supremo justicia justica juzgado camara senado
congreso congresso gobierno governo direccion diretoria organizacion organizacao internacional mundial
comision comissao consejo conselho departamento instituto universidad universidade red rede programa
protocolo convencion convencao ley lei decreto trata trafico personas pessoas migrantes crimen delito
agencia federal general ministro ministra presidente embajador embaixador
""".split())
_PLACE = re.compile(r"\b(at|in|en|em|no|na)\s+(the\s+|el\s+|la\s+|o\s+|a\s+)?[A-ZÁÉÍÓÚÑÇ]")
_ENUMERATION = re.compile(
    r"([A-ZÁÉÍÓÚÑÇ][\w’'-]*(?:\s+(?:and|y|e|of|de|and|del)?\s*[A-ZÁÉÍÓÚÑÇ][\w’'-]*)*,\s+){2,}")


def expected(question: str) -> Expect:
    folded = fold(question)
    for kind, cue in _CUES:
        if cue.search(folded) and not (kind in (Expect.NUMBER, Expect.AMOUNT) and _ASKS_OTHERWISE.match(folded)):
            return kind
    return Expect.OTHER


def years(question: str) -> frozenset[str]:
    """The years a question names ("in 2023", "during the 1970s")."""
    return frozenset(m.group(0) for m in _YEAR_WORD.finditer(question))


def years_named(text: str) -> frozenset[str]:
    """The years a text names, decades included ("1970" of "the 1970s")."""
    return frozenset(_YEAR_START.findall(text))


def mentions_a_year(text: str, years: frozenset[str]) -> bool:
    """Whether the text names one of the years, or its decade ("1970" in "the 1970s")."""
    return bool(years & years_named(text))


def is_list_question(question: str) -> bool:
    """'Which countries…', 'Quais países…', 'list the…': the answer is a set of items."""
    match = _LIST_CUE.search(fold(question))
    return bool(match and (match.group(4) or listed_noun(question)))


def listed_noun(question: str) -> str | None:
    """The plural noun a list question asks for, folded: 'countries' in 'Which countries…',
    'paises' in '¿Qué países…'; None when the question names none."""
    match = _LIST_CUE.search(fold(question))
    if not match or match.group(4):
        return None
    first, second = match.group(2, 3)
    nouns = [first, second] if first in _DETERMINERS else [first]
    return next((w for w in nouns if w and len(w) > 3 and w.endswith("s") and w not in _NOT_PLURAL), None)


# Counts that announce a set: "eight countries", "dos tratados", "três agências".
_COUNT = rf"(?:\d+|{_NUMBER_WORDS}|dozen|docena|duzia)"


def announces(sentence: str, noun: str) -> bool:
    """Whether the sentence counts the noun ("benefits eight countries", "ocho países"): it
    announces the set a list question asks for. One adjective may stand between ("two main treaties")."""
    return bool(re.search(rf"\b{_COUNT}\s+(?:\w+\s+)?{re.escape(noun)}\b", fold(sentence)))


def has_enumeration(sentence: str) -> bool:
    return bool(_ENUMERATION.search(sentence))


def holds(kind: Expect, sentence: str, question: str) -> bool:
    """Whether the sentence has something of the expected kind that the question does not."""
    folded_question = fold(question)

    def new(matches) -> bool:
        return any(fold(m.group(0)) not in folded_question for m in matches)

    if kind is Expect.NUMBER:
        return new(m for m in _NUMBER.finditer(sentence)
                   if fold(m.group(0)) not in _ARTICLES and not _names(sentence, m))
    if kind is Expect.AMOUNT:
        return holds(Expect.NUMBER, sentence, question) or new(_QUANTITY.finditer(sentence))
    if kind is Expect.PENALTY:
        return new(_PENALTY.finditer(sentence))
    if kind is Expect.DURATION:
        return new(_DURATION.finditer(sentence))
    if kind is Expect.MONEY:
        return new(_MONEY.finditer(sentence))
    if kind is Expect.PERCENT:
        return new(_PERCENT.finditer(sentence))
    if kind is Expect.DATE:
        return new(_DATE.finditer(sentence))
    if kind is Expect.PERSON:
        return new(m for m in _NAME.finditer(sentence) if _is_person(m.group(0)))
    if kind is Expect.PLACE:
        return bool(_PLACE.search(sentence))
    if kind is Expect.YESNO:
        return bool(_NEGATION.search(folded_question)) and bool(_NEGATION.search(fold(sentence)))
    return False


def _names(sentence: str, number: re.Match) -> bool:
    """Whether a number names a year, an article, a law or a day ("1951", "Artículo 78", "Sept. 30",
    "30 de septiembre"): "how many" is not answered by it."""
    before = fold(sentence[max(0, number.start() - 14): number.start()])
    after = fold(sentence[number.end(): number.end() + 16])
    if _YEAR.fullmatch(number.group(0)):
        # "2000 guests" counts; "in 2015 police…" and "de 1951, con…" name a year.
        return bool(_WHEN.search(before)) or not re.match(r"\s[a-z]", after)
    return bool(_NAMED_BY.search(before) or re.match(rf"\s*(de\s+)?({_MONTHS})\b", after))


def defines(subject_words: list[str], sentence: str) -> bool:
    """'X (…)', 'X, the …', 'X is …' or '(X)': the sentence says what X is."""
    folded = fold(sentence)
    for word in subject_words:
        if re.search(rf"\b{re.escape(word)}\b\s*(\(|,\s+(the|an?|la|el|una?|os?|as?|uma?)\b|(is|es|e|are|son|sao)\b)", folded) or \
                f"({word})" in folded:
            return True
    return False


def _is_person(run: str) -> bool:
    names = [w for w in re.split(r"\s+", fold(run)) if w not in {"de", "del", "da", "dos", "la"}]
    return sum(1 for w in names if w.strip("’'") not in INSTITUTION_WORDS) >= 2


# "• x" (rendered Markdown), "- x", "1. x", "a) x", and a law's "II - x".
_LIST_ITEM = re.compile(r"(?:•|[-*]|\d{1,3}[.)]|[a-z][.)]|[IVXLC]{1,7}\s*[-–.)])\s")


def is_list_item(sentence: str) -> bool:
    return bool(_LIST_ITEM.match(sentence))


def is_heading(sentence: str) -> bool:
    """A line with no closing punctuation is a title or a menu entry, rarely an answer."""
    return not re.search(r"[.!?:;”\")»]$", sentence.strip())
