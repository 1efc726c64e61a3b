"""The two intents that must never be missed, caught by rules before any model reads the message.

A request to stop, and a statement that the debt is not owed, change what the law lets a collector do
(TCPA and Regulation F 1006.6(c) and 1006.14(h) for stopping; 1006.34 and 1006.38 for disputes; CONC
7.9 and 7.10 in the UK), so a model's doubt is not good enough: these patterns are written out, in
English and Spanish, and tested one by one. They match the normalised text (lower case, no accents).
"""

from __future__ import annotations

import re

from amicable.understanding.clean import normalised

# Whole-message keywords, as carriers and the CTIA handle them, and their Spanish counterparts.
_STOP_WORDS = {
    "stop", "stopall", "unsubscribe", "unsub", "cancel", "end", "quit", "optout", "opt", "out", "revoke",
    "baja", "alto", "parar", "para", "cancelar", "detener", "basta", "all",
}  # fmt: skip
# Words that may stand beside a keyword without changing it: "Stop please", "BAJA por favor".
_COURTESY = {
    "please",
    "pls",
    "plz",
    "now",
    "thanks",
    "thank",
    "you",
    "thx",
    "por",
    "favor",
    "ya",
    "gracias",
    "me",
}

_VERBS_EN = r"(text|txt|call|ring|phon|email|e-mail|mail|messag|contact|writ|send|bother|harass)\w*"
_MEDIA_EN = r"(texts?|txts?|messages?|msgs?|calls?|emails?|e-mails?|letters?|sms|contact|communications?)"
_VERBS_ES = r"(llam|escrib|mand|envi|contact|molest|mensaje)\w*"
_MEDIA_ES = r"(mensajes|sms|llamadas|correos|emails|whatsapps?|cartas|contacto)"
_OPT_OUT = [
    rf"\b(stop|quit|enough with the|enough|no more|cease) (all |any |the |these |your )?{_VERBS_EN}",
    rf"\b(stop|no more|no further|block|cease) (all |any |the |these |your |further )?{_MEDIA_EN}\b",
    rf"\b(don'?t|do not|dont) {_VERBS_EN} (me|us|this number|this address|again)\b",
    r"\b(don'?t|do not|dont) consent to (being |be )?contact",
    r"\b(unsubscribe|opt me out|opt out|optout)\b",
    r"\btake (me|my (number|email|name|details)) off (your|ur|the|this|all|of) (\w+ )?"
    r"(list|lists|system|database|"
    r"records|mailing|contact|texts|calls)",
    r"\bremove (me|my details) (from|off) (your|ur|the|this|all) (\w+ )?"
    r"(list|lists|system|database|records|mailing|contact)",
    r"\bremove (this|my) (number|phone|email|mobile)\b",
    r"\b(cease|stop) (all )?(contact|communication|communications)\b",
    r"\bleave me alone\b",
    r"\b(darme|denme|dar|me doy|doy) de baja\b",
    # commands only: "no me llamen", not "no me llamaron" (they didn't call me) or "no me llamo" (my name)
    r"\bno me (vuelvan a \w+|llamen|escriban|manden|envien|contacten|molesten|mensajeen|llame|escriba|"
    r"mande|envie|contacte|moleste)\b",
    rf"\bno (vuelvan|vuelva) a {_VERBS_ES}",
    rf"\bdejen de {_VERBS_ES}",
    rf"\bno quiero (recibir )?(mas |ningun |ningunos )?{_MEDIA_ES}",
    rf"\b(basta|ya basta) (de|con) (los |las |sus |tantos |tantas )?{_MEDIA_ES}",
    rf"\b(paren|paren ya|pare) (con|de) (los |las |sus |tantos |tantas |mandar |enviar )?{_MEDIA_ES}",
    r"\b(cesen|cese|suspendan) (todo |todos |el |los |cualquier )?(contacto|comunicacion|mensajes|llamadas)",
    r"\b(borrenme|eliminenme|quitenme|saquenme|sacarme|borrarme|eliminarme) de (su|sus|la|esta|esa) "
    r"(lista|listas|base|registro|registros|sistema)",
    r"\b(borren|eliminen|quiten|saquen) (mi|este) (numero|correo|telefono|email|contacto)\b",
]
_DISPUTE = [
    r"\b(i )?(don'?t|do not|dont|doesn'?t|does not) owe\b",
    r"\b(owe|owing|owed) (you )?nothing\b|\bnothing (owing|owed|is owed)\b|\bnot owed\b",
    r"\bnever (had|held) (an|a|this|that|any)\b.{0,30}"
    r"\b(account|loan|debt|card|contract|service|agreement)\b",
    r"\b(didn'?t|did not) (have|hold) (an|a|any) (account|loan|contract|card|agreement|policy) with\b",
    # "I never signed anything", but not "I didn't open your letter yet"
    r"\b(never|didn'?t|did not) (open|opened|take out|took out|sign|signed|sign up|signed up|apply|applied|"
    r"use|used|borrow|borrowed|order|ordered|agree|agreed)\b"
    r"(?!\s+(\w+\s+){0,2}(letter|letters|email|emails|message|messages|text|texts|mail|link|envelope)\b)",
    r"\b(not|isnt|isn't|aint|ain't|is not) (my|our) (debt|account|bill|loan|card|contract|responsibility)\b",
    r"\b(is ?n[o']?t|isnt|is not|not) (mine|ours)\b",
    r"(?<!not )(?<!n't )(?<!no )(?<!nt )\bdisput(e|ing|ed|ar|o|amos)\b",
    r"\bidentity (theft|fraud)\b|\bstolen identity\b|\bfraud(ulent|ulently)?\b",
    r"\b(someone|somebody|alguien)\b.{0,40}\b(in my name|a mi nombre)\b",
    r"\b(validation|verification|proof) (of|for) (the |this )?(debt|balance|amount)\b",
    r"\bprove (it|this|that)\b|\bsend (me )?(proof|evidence)\b",
    r"\b(don'?t|do not|dont) (recogni[sz]e|acknowledge|accept) (this|the|that|your|any|it)\b"
    r"(?! (email|e-mail|number|phone|address|sender|text|message))",
    r"\bnot (accepting|admitting|acknowledging) (it|this|that|the debt|liability)\b",
    r"\bnever (named|a party|liable|a guarantor|the account holder)\b|\bnever had \w+ with (you|your)\b",
    r"\b(that'?s|thats|that is|this is) not right\b",
    r"\b(amount|balance|figure|total|sum|bill)\b.{0,40}\b(is|was|seems|looks|'s) (wrong|incorrect|way off|"
    r"not right|not correct|too high|a mistake)\b",
    r"\bwrong (amount|balance|figure|total)\b|\bbalance (is|should be) (wrong|\$?£?0|zero)\b",
    r"\bshould be (\$|£|€)?0\b|\bshould be zero\b",
    r"\b(charged|billed) (me )?(twice|double)\b|\bdouble (charged|billed)\b",
    r"\bstatute[- ]barred\b|\btime[- ]barred\b",
    r"\b(this|the) (debt|charge|bill|balance|amount) (is|was) (a mistake|an error)\b",
    r"\bno (le |les |te )?debo (nada|eso|esto|esa|ese|esta|este|esos|esas|estos|estas|ningun|ninguna|ni un|"
    r"dinero|la deuda)\b",
    r"\bno (le |les )?debo\W*$",
    r"\bno (es|son) (mia|mias|mio|mios|nuestra|nuestro)\b|\b(esa|esta) deuda no es\b",
    r"\bno (es|son) (mi|mis|nuestra|nuestras) (deuda|deudas|cuenta|prestamo|tarjeta)\b",
    r"\bno (la |lo |las |los )?reconozco\b|\bdesconozco (esta|esa|la) deuda\b",
    r"\b(disputo|impugno|reclamo la deuda)\b",
    r"\brobo de identidad\b|\bsuplantacion de identidad\b|\bfraude\b",
    r"\b(nunca|jamas) (tuve|abri|contrate|firme|pedi|saque|use|acepte|fui titular|he sido titular)\b",
    r"\byo no (saque|pedi|firme|contrate|abri)\b",
    r"\b(saldo|monto|importe|cantidad|cobro)\b.{0,40}\b(esta|es) (mal|equivocad|incorrect|un error)",
    r"\b(esta|es) (mal|incorrect[oa]|equivocad[oa])\b.{0,20}\b(saldo|monto|importe|cantidad)\b",
    r"\b(la deuda|el cobro|el saldo|el monto|esto|eso|esa deuda) (es|fue) un error\b",
    r"\b(saldo|monto|importe|cantidad|cobro)\b.{0,30}\bno es correct[oa]\b",
    r"\bcobr\w* (dos veces|doble)\b|\bcobrando doble\b",
    r"\bpruebas? de (esa|esta|la) deuda\b",
]
_OPT_OUT_RE = re.compile("|".join(f"(?:{p})" for p in _OPT_OUT))
_DISPUTE_RE = re.compile("|".join(f"(?:{p})" for p in _DISPUTE))


def _is_keyword(plain: str) -> bool:
    """The message, or one sentence of it, is a stop keyword, perhaps with "please" beside it."""
    for sentence in re.split(r"[.!?\n;]+", plain):
        words = re.findall(r"[\w-]+", sentence)
        keywords = [w for w in words if w in _STOP_WORDS]
        # "out", "all" and "para" alone are not keywords; "opt out" is.
        meaningful = any(w not in ("out", "all", "para", "opt") for w in keywords) or "opt" in words
        if keywords and meaningful and all(w in _STOP_WORDS or w in _COURTESY for w in words):
            return True
    return False


def must_not_miss(text: str) -> list[str]:
    """The intents among opt_out and dispute that the message states, in that order."""
    plain = normalised(text)
    found = []
    if _is_keyword(plain) or _OPT_OUT_RE.search(plain):
        found.append("opt_out")
    if _DISPUTE_RE.search(plain):
        found.append("dispute")
    return found
