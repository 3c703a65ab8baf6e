"""Multilingual phrase patterns for page furniture, kept in one place so they can grow.

Each pattern describes a *kind* of line (a read-also link, a promo, a credit), never one site's
wording. Languages: English, Indonesian/Malay, German, French, Spanish, Portuguese, Italian,
Dutch, with a few others where the phrase is common.
"""

from __future__ import annotations

import re


def _alternatives(*phrases: str) -> str:
    return "|".join(sorted(phrases, key=len, reverse=True))


# "Read also: <headline>" — a link to another article dropped into the body.
READ_ALSO = re.compile(
    r"^\W{0,3}(?:"
    + _alternatives(
        r"read\s+(?:more|also|next|this|the\s+full\s+story)", r"also\s+read", r"related(?:\s+(?:stories|articles?|news|posts?|coverage|reading|content|links?|video))?",
        r"see\s+(?:also|more)", r"more\s+(?:on|from|about|like\s+this|stories|news|coverage|reading)",
        r"more", r"watch(?:\s+more)?", r"listen", r"recommended(?:\s+(?:for\s+you|reading|stories))?",
        r"don'?t\s+miss", r"don’t\s+miss", r"must\s+read", r"trending", r"top\s+stories", r"further\s+reading",
        r"you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy|be\s+interested\s+in)", r"also\s+on\s+\w+",
        r"editor'?s\s+picks?", r"popular(?:\s+stories)?", r"latest(?:\s+news)?", r"in\s+case\s+you\s+missed\s+it",
        r"baca\s+(?:juga|pula|selengkapnya|lainnya)", r"simak\s+(?:juga|selengkapnya)", r"lihat\s+juga", r"tonton\s+juga",
        r"artikel\s+terkait", r"berita\s+terkait", r"berita\s+lainnya", r"baca\s+artikel\s+lainnya", r"jangan\s+lewatkan",
        r"lesen\s+sie\s+(?:auch|mehr|hier)", r"mehr\s+zum\s+thema", r"auch\s+interessant", r"weiterlesen", r"siehe\s+auch",
        r"das\s+könnte\s+sie\s+auch\s+interessieren", r"lire\s+aussi", r"lire\s+également", r"à\s+lire\s+aussi",
        r"voir\s+aussi", r"sur\s+le\s+même\s+sujet", r"lea\s+también", r"lee\s+también", r"leer\s+más", r"te\s+puede\s+interesar",
        r"vea\s+también", r"ver\s+también", r"noticias\s+relacionadas", r"leia\s+também", r"leia\s+mais", r"veja\s+também",
        r"saiba\s+mais", r"leggi\s+anche", r"potrebbe\s+interessarti", r"lees\s+ook", r"lees\s+meer", r"zie\s+ook",
        r"czytaj\s+(?:też|także|również)", r"читайте\s+также", r"関連記事", r"相关阅读", r"延伸阅读", r"推荐阅读",
    )
    + r")\b\s*(?:[:：»>|\-–—]|\.{3}|…|$)",
    re.I,
)
# Calls to subscribe, follow, download, sign up, share or support.
PROMO = re.compile(
    _alternatives(
        r"sign[\s-]+up\s+(?:for|to|here|now)", r"subscribe\s+(?:to|now|for|here|today)", r"follow\s+us",
        r"(?:our|free|daily|weekly|the\s+\w+)\s+newsletters?\b(?!\s+(?:to|for|from|said|says|sent|published|reported))",
        r"newsletter\s*(?:sign[- ]?up|abonnieren|gratuite?|gratis)",
        r"follow\s+(?:\w+\s+){0,3}on\s+(?:twitter|facebook|instagram|google\s+news|linkedin|tiktok|youtube|x\b)",
        r"like\s+us\s+on", r"donate\s+(?:today|now|here)", r"e-?mail\s+this\s+(?:story|article|post|page)", r"join\s+(?:us|our)\s+on", r"download\s+(?:the|our)\s+(?:\w+\s+)?app", r"get\s+the\s+(?:\w+\s+)?app",
        r"click\s+here\s+to", r"(?:click|tap)\s+here", r"support\s+(?:our|independent)\s+journalism", r"become\s+a\s+(?:member|subscriber|patron)",
        r"get\s+(?:our|the\s+latest|breaking)", r"delivered\s+(?:to\s+)?(?:your|straight\s+to)\s+inbox", r"in\s+your\s+inbox",
        r"share\s+this\s+(?:article|story|post)", r"share\s+on\s+(?:facebook|twitter|whatsapp)",
        r"ikuti\s+(?:kami|kanal|berita|kami\s+di)", r"follow\s+kami", r"yuk\s+follow", r"klik\s+(?:di\s+sini|disini|link)",
        r"gabung(?:\s+ke)?\s+(?:grup|channel|saluran)", r"dapatkan\s+(?:update|berita|informasi)", r"unduh\s+aplikasi",
        r"google\s+news", r"whatsapp\s+channel", r"telegram\s+channel", r"saluran\s+whatsapp",
        r"abonnieren\s+sie", r"folgen\s+sie\s+uns", r"jetzt\s+abonnieren", r"newsletter\s+abonnieren",
        r"abonnez[- ]vous", r"suivez[- ]nous", r"inscrivez[- ]vous", r"suscr[íi]bete", r"s[íi]guenos", r"suscríbase",
        r"siga[- ]nos", r"inscreva[- ]se", r"assine\s+(?:a|o|já)", r"seguici\s+su", r"iscriviti", r"abonneer\s+je", r"volg\s+ons",
    ),
    re.I,
)
# Ad slot labels shown in place of an ad.
AD_LABEL = re.compile(
    r"^\W*(?:advert(?:isement|isment|orial)?s?|ad(?:vertising)?|sponsored(?:\s+content)?|paid\s+(?:content|post)|"
    r"(?:story|article)\s+continues\s+(?:below|after)(?:\s+(?:this|the))?(?:\s+advert(?:isement)?)?|"
    r"continue\s+reading\s+(?:the\s+)?(?:main\s+story|below)|scroll\s+(?:down\s+)?to\s+continue(?:\s+reading)?|"
    r"iklan|anzeige|werbung|publicit[ée]|publicidad|publicidade|pubblicit[àa]|advertentie|реклама|广告)\W*$",
    re.I,
)
# Sharing and reaction chrome left in the body.
SHARE_WORDS = re.compile(
    r"^(?:share|share\s+this|share\s+on|sharing|tweet|pin|email|e-mail|mail|print|copy\s+link|copy|link|"
    r"facebook|twitter|x|whatsapp|telegram|linkedin|pinterest|reddit|tumblr|line|messenger|flipboard|"
    r"google\+?|comments?|like|likes|loading\.{0,3}|loading…|like\s+this|related|reblog|more|"
    r"bagikan(?:\s+artikel)?|teilen|partager|compartir|compartilhar|condividi|delen|share\s+article|"
    r"\d+\s*(?:shares?|comments?)?|print\s+this\s+page|save|bookmark|subscribe|follow)$",
    re.I,
)
LIKE_LOADING = re.compile(r"\blike\s+this:?\s*(?:like\s+)?loading", re.I)
# Credits for photos: an agency or stock credit anywhere in a short line. A labelled credit
# naming a person ("Photo by Ana Ruiz", "Image via …") is not furniture by its label alone: the
# hand-labelled sets keep it with the article more often than they drop it.
CREDIT_MARK = re.compile(
    r"getty\s*images|\bap\s+photo\b|\bafp\s+photo\b|\breuters/|\bepa/|shutterstock|\bistock(?:photo)?\b|\balamy\b|©|"
    r"\((?:image|photo|picture|pic|foto|bild)\s*:",
    re.I,
)
# A rights notice: "Copyright 2008 The Associated Press. All rights reserved. …", "© Reuters
# 2008": the mark and a year open it, or it reserves the rights (a sentence *about* copyright
# does neither).
RIGHTS_NOTICE = re.compile(
    r"^\W{0,3}(?:©|\(c\)|copyright\b).{0,40}?\b(?:19|20)\d\d\b|"
    + _alternatives(
        r"all\s+rights\s+reserved", r"todos\s+los\s+derechos\s+reservados", r"tous\s+droits\s+réservés",
        r"alle\s+rechte\s+vorbehalten", r"tutti\s+i\s+diritti\s+riservati", r"todos\s+os\s+direitos\s+reservados",
        r"alle\s+rechten\s+voorbehouden", r"hak\s+cipta", r"wszelkie\s+prawa\s+zastrzeżone", r"все\s+права\s+защищены",
        r"版权所有", r"著作権", r"無断転載",
    ),
    re.I,
)
# Labels in front of a list of topic tags.
TAGS_LABEL = re.compile(
    r"^\W*(?:"
    + _alternatives(
        r"tags?", r"tagged(?:\s+(?:with|in))?", r"topics?", r"topik", r"tag\s+terkait", r"kata\s+kunci", r"keywords?",
        r"filed\s+under", r"categories", r"category", r"kategori", r"label", r"schlagworte", r"schlagwörter", r"themen",
        r"mots[- ]clés", r"sujets?", r"étiquettes", r"etiquetas", r"temas", r"palavras[- ]chave", r"tópicos", r"argomenti",
        r"parole\s+chiave", r"onderwerpen", r"trefwoorden", r"标签", r"タグ", r"теги",
    )
    + r")\s*[:：]?",
    re.I,
)
# Labels of author/editor lines; group "name" holds the rest.
BYLINE_LABEL = re.compile(
    r"^\W*(?:by|written\s+by|words\s+by|story\s+by|posted\s+by|reported\s+by|author(?:s|\(s\))?\s*:|"
    r"oleh|penulis|pewarta|reporter|wartawan|kontributor|editor|redaktur|penyunting|"
    r"von|autor(?:in)?\s*:|text\s*:|par|auteur\s*:|por|escrito\s+por|autor\s*:|di|a\s+cura\s+di|door|"
    r"от|автор\s*:|作者\s*[:：]?|记者|文\s*[/／]|著者\s*[:：]?)\s*[:：]?\s*(?P<name>.*)$",
    re.I | re.S,
)
EDITOR_LINE = re.compile(
    r"^\W*(?:editor|edited\s+by|editing\s+by|redaktur|penyunting|editor\s+in\s+charge|additional\s+reporting\s+by|"
    r"reporting\s+by|compiled\s+by|redaktion|rédaction|redacción|redação|contributor|kontributor|reporter|penulis|"
    r"pewarta|fotografer|videografer)\s*[:：]",
    re.I,
)
# The post-meta line blog themes print under a post: "This entry was posted in News and tagged
# … Bookmark the permalink.", "Posted in Travel | 3 Comments »" (and the themes' translations).
POST_META = re.compile(
    r"^\W*(?:this\s+(?:entry|post)\s+was\s+(?:posted|filed|written)\b|"
    r"dieser\s+(?:eintrag|beitrag|artikel)\s+wurde\b|cet(?:te)?\s+(?:entrée|article)\s+a\s+été\s+publiée?\b|"
    r"esta\s+entrada\s+(?:fue|foi)\s+publicada\b|questa\s+voce\s+è\s+stata\s+pubblicata\b|"
    r"dit\s+bericht\s+is\s+geplaatst\b|(?:entri|tulisan)\s+ini\s+(?:ditulis|dipublikasikan|diposting)\b|"
    r"posted\s+in\b.{1,150}\|\s*(?:\d+|no|one|leave\s+a)\s+comments?\b)",
    re.I | re.S,
)
# The print-edition note under a story: "A version of this article appeared on page A1 …".
PRINT_NOTE = re.compile(
    r"^\W*a\s+version\s+of\s+this\s+(?:article|story)\s+(?:appeared|appears|was\s+published)\b", re.I,
)
# Who else reported the story, said under it ("Keith Bradsher contributed reporting.", "(Reporting
# by Ana Ruiz; Editing by Sam Lee)", "With reporting from …", "Mit Material von dpa"). The name after
# "reporting by" must be capitalised: "Reporting by the local paper had …" is a sentence.
REPORTING_CREDIT = re.compile(
    r"^\W*(?:(?:with\s+)?(?:additional\s+)?reporting\s+(?:by|from)\s+(?-i:[A-Z])|with\s+contributions?\s+from\s+(?-i:[A-Z])|"
    r"(?:[^.!?]{0,120}?\s)?contributed\s+(?:reporting|to\s+this\s+(?:report|story|article))\b|"
    r"mit\s+material\s+von\b|avec\s+(?:l['’])?(?:afp|ap|reuters)\b|con\s+informaci[óo]n\s+de\b|"
    r"com\s+informa[çc][õo]es\s+d[aeo]s?\b)",
    re.I,
)
# How a paper tells readers to reach the reporter ("Ana Ruiz can be reached at ana@…", "To contact
# the reporter on this story: …"), and the address such a line gives.
CONTACT_LINE = re.compile(
    r"\b(?:can\s+be\s+(?:reached|contacted|e-?mailed)|to\s+contact\s+the\s+(?:reporter|writer|author|editor)s?|"
    r"(?:contact|reach|write\s+to|e-?mail)\s+(?:him|her|them)\s+at|reach\s+the\s+(?:reporter|writer|author)|"
    r"ist\s+erreichbar\s+unter|kontakt\s+zu[mr]\s+(?:autor|autorin|redaktion)|pour\s+joindre\s+l['’]auteur|"
    r"para\s+contactar\s+(?:al|con\s+el)\s+(?:autor|periodista)|hubungi\s+penulis)\b",
    re.I,
)
CONTACT_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|(?<!\w)@\w{2,}|\btwitter\b|\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}", re.I)
# What follows the author's name at the start of an author's note ("Ana Ruiz is a reporter …").
AUTHOR_NOTE_VERB = re.compile(
    r"^\s*,?\s*(?:is|was|writes|covers|est|était|ist|war|es|fue|é|foi|è|adalah|merupakan)\b", re.I
)
# Headings that open the comment section.
# How many comments there are, a line alone: "16 comments:", "No comments yet", "Comments (0)".
COMMENT_COUNT = re.compile(
    r"^\W*(?:(?:\d+|no)\s+(?:comments?|responses?|replies|kommentare?|commentaires?|comentarios?|comentários?|"
    r"commenti|komentar)(?:\s+(?:yet|so\s+far))?|(?:comments?|responses?|replies)\s*[(\[]\s*\d+\s*[)\]])\W*$",
    re.I,
)
COMMENTS_HEADING = re.compile(
    r"^\W*(?:\d+\s+)?(?:comments?|responses?|replies|discussion|leave\s+a\s+(?:reply|comment)|post\s+a\s+comment|"
    r"join\s+the\s+(?:discussion|conversation)|what\s+do\s+you\s+think|what\s+you\s+think|have\s+your\s+say|"
    r"readers?[’']?\s+comments?|your\s+comments?|add\s+(?:a|your)\s+comment|write\s+a\s+comment|"
    r"ihre\s+meinung|deine\s+meinung|votre\s+avis|réagissez|tu\s+opini[óo]n|opina|sua\s+opini[ãa]o|"
    r"deixe\s+(?:seu|o\s+seu|um)\s+coment[áa]rio|d[ìi]\s+la\s+tua|jouw\s+mening|komentar|tulis\s+komentar|kommentare?|"
    r"commentaires?|comentarios?|comentários?|commenti|reacties|reageer)\b.{0,30}$",
    re.I,
)
