//! Synthetic workspaces for benchmarks (`kith demo --synthetic N`): any number of plausible items,
//! fast and reproducible.
//!
//! Shape: every platform but File with three accounts each; about n/10 members (at most 100 000)
//! whose activity follows a Zipf-like law, so a few are very active; seven languages; texts of
//! 10–40 words (CJK 10–60 characters) made of phrase fragments and a combinatorial vocabulary of a
//! few thousand words per language whose frequencies fall off like real text; ~10% reviews, ~30%
//! replies threaded to earlier items of the same account; two years of history ending at `now`.
//! The random generator is a local SplitMix64, so a seed gives the same workspace on every
//! platform and with every version of the `rand` crate.

use crate::domain::{Author, Kind, NewItem, Platform, Status, Timestamp};

const SPAN_MS: i64 = 730 * 24 * 3600 * 1000;
const MAX_MEMBERS: u64 = 100_000;
/// Recent items per account that replies pick their parent from.
const RING: usize = 64;

/// Platforms with their share of items (‰); each has three accounts in `ACCOUNTS`. The review
/// platforms come last, after `SOCIAL` ‰ of social networks.
const PLATFORMS: [(Platform, u64); 9] = [
    (Platform::Mastodon, 80),
    (Platform::Bluesky, 100),
    (Platform::Telegram, 120),
    (Platform::Vk, 140),
    (Platform::Youtube, 160),
    (Platform::Facebook, 120),
    (Platform::Instagram, 180),
    (Platform::Google, 55),
    (Platform::GooglePlay, 45),
];
const SOCIAL: u64 = 900;
/// Per platform, an item's url up to its index.
const URLS: &str = "https://mastodon.social/@lumo/|https://bsky.app/profile/lumo.bsky.social/post/s|\
    https://t.me/lumo_lamps/|https://vk.com/wall-214365870_1?reply=|https://www.youtube.com/watch?v=|\
    https://www.facebook.com/lumo/posts/|https://www.instagram.com/p/|https://maps.app.goo.gl/s|\
    https://play.google.com/store/apps/details?id=app.lumo.desk&reviewId=s";
const ACCOUNTS: &str = "lumo@mastodon.social|lumo@chaos.social|lumo_jp@mstdn.jp|\
    lumo.bsky.social|support.lumo.app|lumo-jp.bsky.social|@lumo_support_bot|@lumo_lamps|@lumo_chat|\
    vk.com/lumo|vk.com/lumo_support|vk.com/lumo_club|Lumo Official|Lumo Tutorials|Lumo 中文|\
    Lumo|Lumo Deutschland|Lumo España|@lumo.lamps|@lumo.studio|@lumo.cn|\
    Lumo Store Moscow|Lumo Shanghai|Lumo Berlin|app.lumo.desk|app.lumo.desk.beta|app.lumo.widget";

/// Per language: code, share of members (‰), then `|`-separated lists: phrase fragments, word
/// prefixes, stems, suffixes, first names, last names (both of even length). Vocabulary words are
/// prefix + stem + suffix; repeated empty prefixes and suffixes make the plain forms commoner.
const LANGS: [(&str, u64, [&str; 6]); 7] = [
    ("ru", 300, [
        "лампа|после обновления|приложение|мерцает на низкой яркости|не подключается|очень нравится|свет тёплый|слишком ярко|вечером|по утрам|цветовая температура|уже неделю|спасибо за|подскажите пожалуйста|кто знает|как настроить|можно ли|мой заказ|курьер не приехал|до сих пор жду|служба поддержки|работает отлично|перестала включаться|таймер фокуса|циркадный режим|на андроиде|обновление прошивки|через блютус|возврат денег|по гарантии|две недели назад|лучшая покупка|не стоит своих денег|для чтения|глаза не устают|промокод|бесплатная доставка|когда будет|у меня|честно говоря|в целом|кстати",
        "|||по|пере|до|без|при",
        "ламп|свет|стол|цвет|ярк|заказ|доставк|курьер|возврат|гаранти|прилож|обновл|прошивк|кнопк|провод|подставк|коробк|упаковк|скидк|цен|отзыв|вопрос|ответ|поддержк|оператор|магазин|шоурум|экран|монитор|глаз|работ|учёб|чтени|рисовани|режим|таймер|сцен|настройк|подключени|телефон|планшет|зарядк|питани|ножк|плафон|диод|мерцани|температур|оттенк|вечер|утр|ноч|дочк|сын|мам|подарк|праздник|офис|школ|урок|книг",
        "а|у|ы|е|ой|ом|ами|ах|ов|и|ку",
        "Анна|Дмитрий|Елена|Сергей|Ольга|Алексей|Мария|Иван|Наталья|Павел|Ксения|Артём|Юлия|Никита|Ирина|Максим",
        "Смирнова|Иванов|Попова|Кузнецов|Соколова|Волков|Морозова|Лебедев|Новикова|Орлов|Белова|Фёдоров",
    ]),
    ("en", 300, [
        "the lamp|my desk|after the update|the app|it keeps|I really like|the light is|too bright|too dim|at night|in the morning|warm white|colour temperature|since last week|thank you for|could you please|does anyone know|how do I|is it possible to|my order|the courier|still waiting for|customer support|works perfectly|stopped working|the focus timer|circadian mode|on Android 14|on my iPhone|firmware update|pairing mode|over Bluetooth|a refund|the warranty|two weeks ago|best purchase this year|not worth the price|for reading|less eye strain|love the design|flickers a bit|keeps disconnecting|any news about|when will you|promo code|free shipping",
        "||||re|un|pre|over|mis|out",
        "light|lamp|desk|colour|bright|dim|charge|pair|connect|update|flicker|glow|warm|cool|power|switch|time|focus|scene|touch|read|work|study|draw|paint|design|build|ship|order|deliver|fund|turn|place|pack|wrap|price|pay|sell|buy|test|check|measure|compare|view|rate|post|share|follow|comment|answer|help|wait|call|track|plan|load|sync|scan|set|start|stop|hold|press|mount|clamp|stand|fold|clean|cover|box|gift|fix|break|crash|freeze|install|open|close|print|stream|film",
        "|s|ed|ing|er|ers|able|ly",
        "Emma|Liam|Olivia|Noah|Ava|James|Sophia|Lucas|Mia|Ethan|Grace|Owen|Chloe|Ryan|Zoe|Daniel",
        "Smith|Johnson|Brown|Taylor|Wilson|Davies|Evans|Clarke|Walker|Wright|Hughes|Green",
    ]),
    ("zh", 150, [
        "请问|怎么|为什么|什么时候|已经|还是|有没有|可以吗|非常好用|不太满意|希望|谢谢|收到了|用了一个月|晚上看书|眼睛不累|连不上|一直闪|等了很久|推荐|性价比|质量很好|客服回复|物流太慢|颜值很高|包装|说明书|固件更新以后|蓝牙配对|专注模式",
        "|||新|旧|大|小|白色|黑色|这个|我的|官方|国行|海外|最新|免费|智能",
        "台灯|灯光|亮度|色温|蓝牙|配对|连接|快递|物流|退款|退货|保修|客服|固件|更新|闪烁|频闪|暖光|冷光|护眼|阅读|学习|工作|桌面|设计|颜值|价格|优惠|折扣|活动|包装|质量|做工|底座|灯臂|电源|充电|手机|应用|软件|设置|模式|定时|场景|夜灯|眼睛|孩子|作业|办公|显示器|挂灯|订单|发票|门店|体验|评价|售后|型号|尺寸|颜色",
        "|||们|的|了|吗",
        "伟|芳|娜|敏|静|磊|洋|勇|艳|杰|娟|涛|明|超|秀英|小雨",
        "王|李|张|刘|陈|杨|黄|赵|吴|周|徐|孙",
    ]),
    ("de", 70, [
        "die Lampe|nach dem Update|die App|gefällt mir sehr|zu hell|zu dunkel|am Abend|die Farbtemperatur|seit letzter Woche|vielen Dank für|weiß jemand|wie kann ich|meine Bestellung|der Kurier|warte immer noch|funktioniert super|geht nicht mehr|flackert leicht|der Kundendienst|Geld zurück|die Garantie|beste Anschaffung",
        "|||Tisch|Schreibtisch|Büro|Lese|Arbeits|Farb|Licht",
        "lampe|licht|leuchte|farbe|helligkeit|taste|kabel|netzteil|fuß|arm|schirm|platte|app|firmware|verbindung|bestellung|lieferung|rechnung|garantie|kunde|dienst|zeit|modus|szene|abend|morgen|stunde|auge|arbeit|platz",
        "|n|s|en|e",
        "Jonas|Lena|Felix|Anna|Paul|Mia|Lukas|Laura|Tim|Sophie",
        "Müller|Schmidt|Schneider|Fischer|Weber|Becker|Wagner|Hoffmann",
    ]),
    ("es", 60, [
        "la lámpara|después de la actualización|la aplicación|me encanta|demasiado brillante|por la noche|la temperatura de color|desde la semana pasada|muchas gracias por|alguien sabe|cómo puedo|mi pedido|el mensajero|sigo esperando|funciona perfecto|dejó de funcionar|parpadea un poco|atención al cliente|el reembolso|la garantía|mejor compra del año",
        "|||re|des|pre|sobre",
        "luz|lámpara|mesa|color|brillo|carga|conect|actualiz|envi|pedid|pag|compr|precio|diseñ|trabaj|estudi|lectur|noche|mañana|ojo|caj|cabl|base|braz|modo|escen|tiempo|ayud|esper|regal",
        "|a|o|as|os|ar|ado|ando|ción|mente",
        "Lucía|Mateo|Sofía|Hugo|Valeria|Diego|Carmen|Pablo|Elena|Javier",
        "García|Martínez|López|Sánchez|Pérez|Gómez|Ruiz|Díaz",
    ]),
    ("fr", 70, [
        "la lampe|après la mise à jour|l'application|j'adore|trop lumineuse|le soir|la température de couleur|depuis la semaine dernière|merci beaucoup pour|quelqu'un sait|comment faire pour|ma commande|le livreur|toujours en attente|fonctionne parfaitement|ne marche plus|scintille un peu|le service client|le remboursement|la garantie|meilleur achat de l'année",
        "|||re|dé|pré|sur",
        "lumi|lamp|bureau|couleur|brill|charg|connect|command|livr|pai|achat|prix|dessin|travail|lectur|soir|matin|yeux|boît|câbl|socle|bras|mode|scèn|temps|aid|attent|cadeau|répar|régl",
        "|e|es|er|é|ée|ant|ement|eur|ion",
        "Camille|Louis|Chloé|Hugo|Manon|Jules|Léa|Arthur|Inès|Théo",
        "Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand",
    ]),
    ("ja", 50, [
        "ライトが|アップデート後|アプリが|とても気に入っています|明るすぎる|夜に|色温度|先週から|ありがとうございます|誰か知っていますか|どうすれば|注文した|配送が遅い|まだ届かない|完璧に動きます|点灯しなくなった|少しちらつく|サポート|返金|保証|今年一番の買い物",
        "|||新しい|古い|白い|黒い|小さい|この|私の|公式",
        "ライト|デスク|アプリ|明るさ|色温度|接続|配送|返金|保証|更新|読書|仕事|勉強|デザイン|価格|セール|箱|ケーブル|台座|アーム|モード|タイマー|目|夜|朝|子供|注文|店舗|レビュー|設定",
        "|||が|を|に|は",
        "健二|由紀|翔太|美咲|大輔|さくら|拓海|愛|蓮|陽菜",
        "佐藤|鈴木|高橋|田中|渡辺|伊藤|山本|中村",
    ]),
];

/// ASCII handle stems for every language.
const HANDLES: &str = "sunny|lampfan|deskhead|maker|reader|nightowl|pixel|studio|coffee|design|quiet|north|blue|mint|atlas|echo";
const TAGS: [&str; 6] = ["bug", "delivery", "refund", "vip", "promo", "warranty"];

/// `n` realistic synthetic items ending at `now`, spread over ~2 years, reproducible from `seed`.
pub fn synthetic(n: u64, seed: u64, now: Timestamp) -> impl Iterator<Item = NewItem> {
    Synthetic::new(n, seed, now)
}

struct Lang {
    code: &'static str,
    cjk: bool,
    /// Each entry with its size: words, or characters for CJK.
    lists: [Vec<(&'static str, usize)>; 6],
}

/// A threadable item: its index, its thread's root index, the post it answers.
#[derive(Clone, Copy)]
struct Recent(u64, u64, u64);

struct Synthetic {
    i: u64,
    n: u64,
    seed: u64,
    rng: SplitMix,
    start: i64,
    /// Milliseconds between consecutive items.
    slot: u64,
    members: u64,
    zipf_ln: f64,
    langs: Vec<Lang>,
    handles: Vec<&'static str>,
    accounts: Vec<&'static str>,
    urls: Vec<&'static str>,
    /// Reused buffer the text is composed in, then copied out at its exact size.
    scratch: String,
    /// Ring buffer of recent threadable items per account (platform * 3 + account).
    recent: Vec<(usize, [Recent; RING])>,
}

const FRAGS: usize = 0;
const FIRST: usize = 4;
const LAST: usize = 5;
/// Zipf-like head size: member k is picked with probability ~ 1 / (k + ZIPF_HEAD).
const ZIPF_HEAD: f64 = 10.0;

impl Synthetic {
    fn new(n: u64, seed: u64, now: Timestamp) -> Self {
        let members = (n / 10).clamp(1, MAX_MEMBERS);
        let langs = LANGS
            .iter()
            .map(|&(code, _, lists)| Lang {
                code,
                cjk: matches!(code, "zh" | "ja"),
                lists: lists.map(|l| l.split('|').map(|w| (w, size(w, code))).collect()),
            })
            .collect();
        Synthetic {
            i: 0,
            n,
            seed,
            rng: SplitMix(seed ^ 0x005E_ED0F_1CE5),
            start: now.0 - SPAN_MS,
            slot: (SPAN_MS as u64 / n.max(1)).max(1),
            members,
            zipf_ln: ((members as f64 + ZIPF_HEAD) / ZIPF_HEAD).ln(),
            langs,
            handles: HANDLES.split('|').collect(),
            accounts: ACCOUNTS.split('|').collect(),
            urls: URLS.split('|').collect(),
            scratch: String::with_capacity(1024),
            recent: vec![(0, [Recent(0, 0, 0); RING]); PLATFORMS.len() * 3],
        }
    }

    /// A member index, Zipf-like: low indices are much more active.
    fn member(&mut self) -> u64 {
        let x = ZIPF_HEAD * (self.rng.unit() * self.zipf_ln).exp() - ZIPF_HEAD;
        (x as u64).min(self.members - 1)
    }

    fn make(&mut self) -> NewItem {
        let i = self.i;
        let created = self.start + (i as u128 * SPAN_MS as u128 / self.n as u128) as i64;
        let created = Timestamp(created + self.rng.below(self.slot) as i64);

        let k = self.member();
        let mut mh = SplitMix(self.seed ^ k.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let home_lang = weighted(mh.next() % 1000, LANGS.iter().map(|l| l.1));
        let home_platform = weighted(mh.next() % SOCIAL, PLATFORMS.iter().map(|p| p.1));
        let followers = (3.0 * (250_000.0f64 / 3.0).powf(mh.unit().powi(3))) as u64;
        let (first, last, handle) = (mh.next(), mh.next(), mh.next());
        let lang_i = if self.rng.below(100) < 95 {
            home_lang
        } else {
            self.rng.below(7) as usize
        };
        // Reviews (~10%) go to the stores; the rest mostly to the member's own network.
        let p_i = match self.rng.below(1000) {
            r if r >= SOCIAL => weighted(r, PLATFORMS.iter().map(|p| p.1)),
            r if r < SOCIAL * 85 / 100 => home_platform,
            _ => weighted(self.rng.below(SOCIAL), PLATFORMS.iter().map(|p| p.1)),
        };
        let platform = PLATFORMS[p_i].0;
        let a_i = match self.rng.below(10) {
            0..=5 => 0,
            6..=8 => 1,
            _ => 2,
        };
        let ring_i = p_i * 3 + a_i;
        let post = created.0 as u64 / 21_600_000; // one post every 6 hours

        let is_review = matches!(platform, Platform::Google | Platform::GooglePlay);
        let (len, _) = self.recent[ring_i];
        let mut thread: Option<Recent> = None;
        let kind = if is_review {
            Kind::Review
        } else if len > 0 && self.rng.below(1000) < 330 {
            let pick = self.recent[ring_i].1[self.rng.below(len.min(RING) as u64) as usize];
            thread = Some(pick);
            Kind::Reply
        } else {
            match self.rng.below(100) {
                0..=59 => Kind::Comment,
                60..=79 => Kind::Mention,
                80..=91 if platform.capabilities().dms => Kind::Dm,
                92..=99 if matches!(platform, Platform::Bluesky | Platform::Mastodon) => {
                    Kind::Quote
                }
                _ => Kind::Comment,
            }
        };
        let (root, post) = match thread {
            Some(Recent(_, root, post)) => (root, post),
            None => (i, post),
        };
        if !is_review && kind != Kind::Dm {
            let (len, ring) = &mut self.recent[ring_i];
            ring[*len % RING] = Recent(i, root, post);
            *len += 1;
        }

        let lang = &self.langs[lang_i];
        // First names alternate female/male and so do last names, for gendered surnames (ru).
        let (firsts, lasts) = (&lang.lists[FIRST], &lang.lists[LAST]);
        let f = first as usize % firsts.len();
        let (first, last) = (
            firsts[f].0,
            lasts[(last as usize % (lasts.len() / 2)) * 2 + f % 2].0,
        );
        let name = if lang.cjk {
            format!("{last}{first}")
        } else {
            format!("{first} {last}")
        };
        let handle = format!("{}{k}", self.handles[handle as usize % self.handles.len()]);
        self.scratch.clear();
        compose(&mut self.rng, lang, &mut self.scratch);
        let text = self.scratch.as_str().to_owned();

        let rating =
            is_review.then(|| weighted(self.rng.below(100), [17, 8, 10, 20, 45]) as u8 + 1);
        let title = if is_review && self.rng.below(10) < 4 {
            let f = &lang.lists[FRAGS];
            Some(f[self.rng.below(f.len() as u64) as usize].0.to_string())
        } else {
            None
        };
        let status = match self.rng.below(100) {
            0..=21 => Status::Done,
            22..=24 => Status::Open,
            25 if !is_review => Status::Spam,
            _ => Status::New,
        };
        let tags = if self.rng.below(100) < 5 {
            vec![TAGS[self.rng.below(TAGS.len() as u64) as usize].to_string()]
        } else {
            Vec::new()
        };
        let url = format!("{}{i}", self.urls[p_i]);
        let link = |x: u64| format!("s{x}");
        NewItem {
            platform,
            account: self.accounts[ring_i].to_string(),
            kind,
            native_id: link(i),
            parent_native_id: thread.map(|p| link(p.0)),
            root_native_id: thread.map(|_| link(root)),
            post_native_id: (!is_review && kind != Kind::Dm).then(|| format!("p{post}")),
            author: Author {
                id: format!("u{k}"),
                handle: Some(handle),
                name: Some(name),
                followers: Some(followers),
            },
            text,
            title,
            lang: Some(lang.code.to_string()),
            rating,
            created_at: created,
            url: Some(url),
            status,
            tags,
            ours: false,
            source: None,
        }
    }
}

impl Iterator for Synthetic {
    type Item = NewItem;

    fn next(&mut self) -> Option<NewItem> {
        if self.i >= self.n {
            return None;
        }
        let item = self.make();
        self.i += 1;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.n - self.i).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

/// Appends one text: fragments and vocabulary words until 10–40 words (CJK: 10–60 characters).
fn compose(rng: &mut SplitMix, lang: &Lang, out: &mut String) {
    let [frags, pre, stem, suf, _, _] = &lang.lists;
    let target = if lang.cjk {
        10 + rng.below(51)
    } else {
        10 + rng.below(31)
    } as usize;
    let vocab = (pre.len() * stem.len() * suf.len()) as f64;
    let mut size = 0;
    while size < target {
        if size > 0 {
            out.push_str(match (rng.below(100), lang.cjk) {
                (0..=9, false) => ", ",
                (10..=16, false) => ". ",
                (_, false) => " ",
                (0..=24, true) => "，",
                _ => "",
            });
        }
        if rng.below(100) < 55 {
            let (frag, n) = frags[rng.below(frags.len() as u64) as usize];
            out.push_str(frag);
            size += n;
        } else {
            // Zipf-like over the vocabulary: a uniform to the 4th power favours the first combinations.
            let c = (vocab * rng.unit().powi(4)) as usize;
            let p = pre[c / (stem.len() * suf.len()) % pre.len()];
            let t = stem[c / suf.len() % stem.len()];
            let x = suf[c % suf.len()];
            out.push_str(p.0);
            out.push_str(t.0);
            out.push_str(x.0);
            size += if lang.cjk { p.1 + t.1 + x.1 } else { 1 };
        }
    }
    out.push_str(match (rng.below(100), lang.cjk) {
        (0..=59, false) => ".",
        (60..=74, false) => "!",
        (75..=89, false) => "?",
        (_, false) => " 🙂",
        (0..=59, true) => "。",
        (60..=79, true) => "！",
        _ => "？",
    });
}

/// Words in `s`, or characters for Chinese and Japanese.
fn size(s: &str, lang: &str) -> usize {
    match lang {
        "zh" | "ja" => s.chars().count(),
        _ => s.split(' ').count(),
    }
}

/// Index of the bucket `r` falls in, given bucket weights.
fn weighted(mut r: u64, weights: impl IntoIterator<Item = u64>) -> usize {
    let mut last = 0;
    for (i, w) in weights.into_iter().enumerate() {
        if r < w {
            return i;
        }
        r -= w;
        last = i;
    }
    last
}

/// SplitMix64: tiny, fast, and the same on every platform.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    const NOW: Timestamp = Timestamp(1_780_000_000_000);

    #[test]
    fn deterministic_and_exact_count() {
        let a: Vec<NewItem> = synthetic(2_000, 7, NOW).collect();
        assert_eq!(a.len(), 2_000);
        assert_eq!(a, synthetic(2_000, 7, NOW).collect::<Vec<_>>());
        assert_ne!(a, synthetic(2_000, 8, NOW).collect::<Vec<_>>());
        assert_eq!(synthetic(0, 1, NOW).count(), 0);
        assert_eq!(synthetic(1, 1, NOW).count(), 1);
        assert_eq!(synthetic(123, 1, NOW).size_hint(), (123, Some(123)));
    }

    #[test]
    fn ids_unique_and_threads_point_back() {
        let items: Vec<NewItem> = synthetic(20_000, 42, NOW).collect();
        let mut seen: HashMap<(&str, &str), &NewItem> = HashMap::new();
        let mut replies = 0;
        for it in &items {
            assert!(it.created_at <= NOW && it.created_at.0 >= NOW.0 - SPAN_MS);
            for link in [&it.parent_native_id, &it.root_native_id]
                .into_iter()
                .flatten()
            {
                let earlier = seen.get(&(it.account.as_str(), link.as_str()));
                let earlier = earlier.unwrap_or_else(|| panic!("{} -> {link}", it.native_id));
                assert!(earlier.created_at < it.created_at);
                assert!(earlier.kind != Kind::Review && earlier.kind != Kind::Dm);
            }
            if let Some(root) = &it.root_native_id {
                assert!(seen[&(it.account.as_str(), root.as_str())]
                    .root_native_id
                    .is_none());
                replies += 1;
            }
            assert!(
                seen.insert((&it.account, &it.native_id), it).is_none(),
                "duplicate"
            );
        }
        assert!((5_000..7_500).contains(&replies), "{replies} replies");
        assert!(items.windows(2).all(|w| w[0].created_at < w[1].created_at));
        assert!(items
            .last()
            .is_some_and(|i| i.created_at.0 > NOW.0 - 86_400_000));
    }

    #[test]
    fn realistic_mix() {
        let items: Vec<NewItem> = synthetic(20_000, 3, NOW).collect();
        let count = |f: &dyn Fn(&NewItem) -> bool| items.iter().filter(|i| f(i)).count();
        let distinct = |f: &dyn Fn(&NewItem) -> String| items.iter().map(f).collect::<HashSet<_>>();
        assert_eq!(distinct(&|i| i.lang.clone().unwrap_or_default()).len(), 7);
        assert_eq!(distinct(&|i| i.platform.to_string()).len(), 9);
        assert_eq!(distinct(&|i| i.account.clone()).len(), 27);
        assert_eq!(distinct(&|i| format!("{:?}", i.rating)).len(), 6);
        let reviews = count(&|i| i.kind == Kind::Review);
        assert!((1_500..2_500).contains(&reviews), "{reviews} reviews");
        assert_eq!(
            count(&|i| (i.kind == Kind::Review) != i.rating.is_some()),
            0
        );
        assert!(count(&|i| i.status == Status::New) > items.len() / 2);
        assert!(count(&|i| i.status == Status::Done) > items.len() / 10);

        let mut per_author: HashMap<&str, usize> = HashMap::new();
        for it in &items {
            *per_author.entry(&it.author.id).or_default() += 1;
        }
        assert!(
            (800..=2_000).contains(&per_author.len()),
            "{}",
            per_author.len()
        );
        let top = per_author.values().max().copied().unwrap_or(0);
        assert!(top >= 50, "most active author has {top} items");
    }

    #[test]
    fn texts_have_realistic_length_and_vocabulary() {
        let mut words: HashMap<String, HashSet<String>> = HashMap::new();
        for it in synthetic(30_000, 9, NOW) {
            let lang = it.lang.unwrap_or_default();
            if lang == "zh" || lang == "ja" {
                let n = it.text.chars().count();
                assert!((10..=80).contains(&n), "{n}: {}", it.text);
                continue;
            }
            let n = it.text.split_whitespace().count();
            assert!((10..=50).contains(&n), "{n}: {}", it.text);
            let set = words.entry(lang).or_default();
            for w in it.text.split_whitespace() {
                set.insert(
                    w.trim_matches(|c: char| !c.is_alphanumeric())
                        .to_lowercase(),
                );
            }
        }
        for lang in ["ru", "en"] {
            let n = words.get(lang).map_or(0, HashSet::len);
            assert!(n >= 1_500, "{lang}: {n} distinct words");
        }
    }

    /// `cargo test --release --lib synthetic_speed -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn synthetic_speed() {
        let t = std::time::Instant::now();
        let bytes: usize = synthetic(1_000_000, 1, NOW).map(|i| i.text.len()).sum();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "1M items in {secs:.2}s = {:.0} items/s ({bytes} text bytes)",
            1e6 / secs
        );
    }
}
