use super::*;

fn utc(s: &str) -> Timestamp {
    Timestamp::parse(s).expect("test instant")
}

fn zone(name: &str) -> Zone {
    Zone::named(name).expect("test zone")
}

fn berlin() -> Zone {
    zone("Europe/Berlin")
}

/// Wednesday 2026-12-09 10:00 in Berlin (CET, UTC+1).
fn wed_10() -> Timestamp {
    utc("2026-12-09T09:00:00Z")
}

fn when(input: &str) -> Result<Timestamp, WhenError> {
    parse_when(input, wed_10(), &berlin())
}

fn ok(input: &str) -> Timestamp {
    when(input).unwrap_or_else(|e| panic!("{input:?}: {e:?}"))
}

#[test]
fn now_and_relative() {
    assert_eq!(ok("now"), wed_10());
    assert_eq!(ok("  NOW "), wed_10());
    assert_eq!(ok("сейчас"), wed_10());
    assert_eq!(ok("现在"), wed_10());
    assert_eq!(ok("+90m"), utc("2026-12-09T10:30:00Z"));
    assert_eq!(ok("+2h"), utc("2026-12-09T11:00:00Z"));
    assert_eq!(ok("+1d"), utc("2026-12-10T09:00:00Z"));
    assert_eq!(ok("+1h30m"), utc("2026-12-09T10:30:00Z"));
    assert_eq!(ok("+1d2h"), utc("2026-12-10T11:00:00Z"));
    assert_eq!(ok("2h"), utc("2026-12-09T11:00:00Z"));
    assert_eq!(ok("+2ч"), utc("2026-12-09T11:00:00Z"));
    assert_eq!(ok("+30мин"), utc("2026-12-09T09:30:00Z"));
    assert_eq!(ok("+2小时"), utc("2026-12-09T11:00:00Z"));
    assert_eq!(ok("+30分钟"), utc("2026-12-09T09:30:00Z"));
    assert_eq!(ok("＋２ｈ"), utc("2026-12-09T11:00:00Z"));
    for bad in [
        "+",
        "+h",
        "+2x",
        "+-2h",
        "+2h-",
        "+99999999999h",
        "+36501d",
        "90",
    ] {
        assert!(
            matches!(when(bad), Err(WhenError::Unknown(_))),
            "{bad:?} -> {:?}",
            when(bad)
        );
    }
}

#[test]
fn today_and_tomorrow_in_three_languages() {
    let today_17 = utc("2026-12-09T16:00:00Z");
    let tomorrow_9 = utc("2026-12-10T08:00:00Z");
    for input in [
        "today 17:00",
        "сегодня 17:00",
        "今天 17:00",
        "今天17:00",
        "今天下午5点",
    ] {
        assert_eq!(ok(input), today_17, "{input}");
    }
    for input in [
        "tomorrow 9:00",
        "tomorrow 09:00",
        "tomorrow 9am",
        "tomorrow 9 am",
        "tomorrow at 9",
        "9:00 tomorrow",
        "Tomorrow 9AM",
        "завтра 9:00",
        "завтра в 9",
        "завтра в 9 утра",
        "明天 9:00",
        "明天9:00",
        "明天9点",
        "明天上午9点",
        "明天 ９：００",
    ] {
        assert_eq!(ok(input), tomorrow_9, "{input}");
    }
    assert_eq!(ok("tomorrow 9:30pm"), utc("2026-12-10T20:30:00Z"));
    assert_eq!(ok("明天9点半"), utc("2026-12-10T08:30:00Z"));
    assert_eq!(ok("明天9点15分"), utc("2026-12-10T08:15:00Z"));
    assert_eq!(ok("tomorrow 12am"), utc("2026-12-09T23:00:00Z"));
    assert_eq!(ok("tomorrow 12pm"), utc("2026-12-10T11:00:00Z"));
    assert_eq!(ok("послезавтра 10:00"), utc("2026-12-11T09:00:00Z"));
    assert_eq!(ok("后天 10:00"), utc("2026-12-11T09:00:00Z"));
}

#[test]
fn a_time_already_gone_today_is_past() {
    let e = when("today 9:00").unwrap_err();
    assert_eq!(
        e,
        WhenError::Past {
            at: utc("2026-12-09T08:00:00Z"),
            zone: berlin()
        }
    );
    assert_eq!(
        e.to_string(),
        "Wed 2026-12-09 09:00 CET is in the past",
        "the message names the local time"
    );
    // Exactly now is not past.
    assert_eq!(ok("today 10:00"), wed_10());
}

#[test]
fn weekdays_are_the_next_such_day() {
    let fri = utc("2026-12-11T17:30:00Z");
    for input in [
        "fri 18:30",
        "friday 18:30",
        "Fri 6:30pm",
        "пт 18:30",
        "пятница 18:30",
        "в пятницу 18:30",
        "周五 18:30",
        "周五18:30",
        "星期五 18:30",
        "礼拜五 18:30",
        "周五晚上6点半",
    ] {
        assert_eq!(ok(input), fri, "{input}");
    }
    assert_eq!(ok("mon 9"), utc("2026-12-14T08:00:00Z"));
    assert_eq!(ok("пн 9"), utc("2026-12-14T08:00:00Z"));
    assert_eq!(ok("周一 9点"), utc("2026-12-14T08:00:00Z"));
    assert_eq!(ok("sun 8:00"), utc("2026-12-13T07:00:00Z"));
    assert_eq!(ok("周日 8:00"), utc("2026-12-13T07:00:00Z"));
    assert_eq!(ok("星期天 8:00"), utc("2026-12-13T07:00:00Z"));
    assert_eq!(ok("вс 8:00"), utc("2026-12-13T07:00:00Z"));
    // Today's weekday: today while the time is ahead, else a week on.
    assert_eq!(ok("wed 18:00"), utc("2026-12-09T17:00:00Z"));
    assert_eq!(ok("ср 9:00"), utc("2026-12-16T08:00:00Z"));
    assert_eq!(ok("wednesday 10:00"), wed_10());
}

#[test]
fn bare_times_are_the_next_occurrence() {
    assert_eq!(ok("21:15"), utc("2026-12-09T20:15:00Z"));
    assert_eq!(ok("9:00"), utc("2026-12-10T08:00:00Z"));
    assert_eq!(ok("at 9am"), utc("2026-12-10T08:00:00Z"));
    assert_eq!(ok("9pm"), utc("2026-12-09T20:00:00Z"));
    assert_eq!(ok("9点"), utc("2026-12-10T08:00:00Z"));
    assert_eq!(ok("下午3点"), utc("2026-12-09T14:00:00Z"));
    assert_eq!(ok("7 вечера"), utc("2026-12-09T18:00:00Z"));
    assert!(matches!(when("9"), Err(WhenError::Unknown(_))));
}

#[test]
fn dates_local_and_with_offsets() {
    let dec8 = utc("2026-12-10T08:00:00Z");
    for input in [
        "2026-12-10 09:00",
        "2026-12-10T09:00",
        "2026-12-10t09:00:00",
        "2026-12-10 9:00",
        "12-10 9:00",
        "10.12 9:00",
        "10.12.2026 9:00",
        "2026/12/10 9:00",
        "12月10日 9:00",
        "2026年12月10日 9点",
    ] {
        assert_eq!(ok(input), dec8, "{input}");
    }
    // Month-day that has passed this year is next year's.
    assert_eq!(ok("03-01 12:00"), utc("2027-03-01T11:00:00Z"));
    // An offset or Z wins over the zone.
    assert_eq!(ok("2026-12-10T09:00:00Z"), utc("2026-12-10T09:00:00Z"));
    assert_eq!(ok("2026-12-10T09:00Z"), utc("2026-12-10T09:00:00Z"));
    assert_eq!(ok("2026-12-10T09:00:00+08:00"), utc("2026-12-10T01:00:00Z"));
    assert_eq!(
        ok("2026-12-10T09:00:00.250-05:00"),
        utc("2026-12-10T14:00:00.250Z")
    );
    assert_eq!(ok("2026-12-10 09:00+0100"), dec8);
    assert!(matches!(
        when("2026-12-08T09:00:00Z"),
        Err(WhenError::Past { .. })
    ));
    assert!(matches!(
        when("2025-12-10 09:00"),
        Err(WhenError::Past { .. })
    ));
    for bad in [
        "2026-02-30 09:00",
        "2026-12-10T25:00",
        "2026-12-10T09:00+25:00",
        "13-01 9:00",
        "2026-12-10 9:5",
    ] {
        assert!(
            matches!(when(bad), Err(WhenError::Unknown(_))),
            "{bad:?} -> {:?}",
            when(bad)
        );
    }
}

#[test]
fn a_day_without_a_time_asks_for_one() {
    for input in ["tomorrow", "fri", "завтра", "明天", "2026-12-10", "周五"] {
        assert_eq!(
            when(input),
            Err(WhenError::MissingTime(input.to_string())),
            "{input}"
        );
    }
    assert_eq!(
        when("tomorrow").unwrap_err().to_string(),
        "\"tomorrow\" needs a time of day, e.g. tomorrow 9:00"
    );
}

#[test]
fn garbage_is_unknown_and_named() {
    for input in [
        "",
        "   ",
        "soon",
        "tomorrow tomorrow 9:00",
        "fri 9:00 10:00",
        "25:00",
        "13pm",
        "0am",
        "9:60",
        "пятн 9",
        "周八 9:00",
        "明天吧 9:00",
        "am",
        "tomorrow pm",
    ] {
        assert!(
            matches!(when(input), Err(WhenError::Unknown(_))),
            "{input:?} -> {:?}",
            when(input)
        );
    }
    assert_eq!(
        when("soon").unwrap_err().to_string(),
        "cannot read \"soon\" as a time; try now, +2h, +1h30m, tomorrow 9:00, fri 18:30, 2026-12-08 09:00"
    );
}

#[test]
fn berlin_spring_forward_gap_is_an_error() {
    // Friday 2026-03-27 12:00 CET; clocks go 02:00 → 03:00 on Sunday 29th.
    let now = utc("2026-03-27T11:00:00Z");
    let z = berlin();
    let gap = parse_when("sun 2:30", now, &z).unwrap_err();
    assert_eq!(
        gap,
        WhenError::Gap {
            local: NaiveDate::from_ymd_opt(2026, 3, 29)
                .and_then(|d| d.and_hms_opt(2, 30, 0))
                .expect("date"),
            zone: z
        }
    );
    assert_eq!(
        gap.to_string(),
        "2026-03-29 02:30 does not exist in Europe/Berlin: the clocks jump over it that day \
         (daylight saving); pick another time"
    );
    assert!(matches!(
        parse_when("2026-03-29 02:00", now, &z),
        Err(WhenError::Gap { .. })
    ));
    assert_eq!(
        parse_when("2026-03-29 01:59", now, &z),
        Ok(utc("2026-03-29T00:59:00Z"))
    );
    assert_eq!(
        parse_when("2026-03-29 03:00", now, &z),
        Ok(utc("2026-03-29T01:00:00Z"))
    );
    // A bare time whose gap is already behind us today is tomorrow's.
    let sun_4 = utc("2026-03-29T02:00:00Z");
    assert_eq!(
        parse_when("2:30", sun_4, &z),
        Ok(utc("2026-03-30T00:30:00Z"))
    );
    // Relative times are plain durations: +1d across the change is 24 hours.
    assert_eq!(parse_when("+1d", now, &z), Ok(utc("2026-03-28T11:00:00Z")));
    assert_eq!(
        parse_when("sun 12:00", now, &z),
        Ok(utc("2026-03-29T10:00:00Z"))
    );
}

#[test]
fn berlin_fall_back_fold_takes_the_earlier_instant() {
    // 02:30 happens twice on 2026-10-25: 00:30Z (CEST) and 01:30Z (CET).
    let now = utc("2026-10-23T10:00:00Z");
    let z = berlin();
    assert_eq!(
        parse_when("sun 2:30", now, &z),
        Ok(utc("2026-10-25T00:30:00Z"))
    );
    assert_eq!(
        parse_when("2026-10-25 03:00", now, &z),
        Ok(utc("2026-10-25T02:00:00Z"))
    );
    assert_eq!(
        describe(utc("2026-10-25T00:30:00Z"), z, Lang::En),
        "Sun 2026-10-25 02:30 CEST"
    );
    assert_eq!(
        describe(utc("2026-10-25T01:30:00Z"), z, Lang::En),
        "Sun 2026-10-25 02:30 CET"
    );
}

#[test]
fn new_york_and_shanghai() {
    let ny = zone("America/New_York");
    // Saturday 2026-03-07 12:00 EST; clocks go 02:00 → 03:00 on Sunday 8th.
    let now = utc("2026-03-07T17:00:00Z");
    assert!(matches!(
        parse_when("tomorrow 2:15", now, &ny),
        Err(WhenError::Gap { .. })
    ));
    assert_eq!(
        parse_when("tomorrow 9am", now, &ny),
        Ok(utc("2026-03-08T13:00:00Z"))
    );
    assert_eq!(
        parse_when("sat 23:00", now, &ny),
        Ok(utc("2026-03-08T04:00:00Z"))
    );
    // 2026-11-01 01:30 happens twice: EDT (05:30Z) first.
    assert_eq!(
        parse_when("2026-11-01 01:30", now, &ny),
        Ok(utc("2026-11-01T05:30:00Z"))
    );

    let sh = zone("Asia/Shanghai");
    // Wednesday 2026-12-09 17:00 in Shanghai (UTC+8, no DST).
    assert_eq!(
        parse_when("明天 9:00", wed_10(), &sh),
        Ok(utc("2026-12-10T01:00:00Z"))
    );
    assert_eq!(
        parse_when("周五 18:30", wed_10(), &sh),
        Ok(utc("2026-12-11T10:30:00Z"))
    );
    assert_eq!(
        parse_when("18:00", wed_10(), &sh),
        Ok(utc("2026-12-09T10:00:00Z"))
    );
    assert_eq!(
        describe(utc("2026-12-11T10:30:00Z"), sh, Lang::Zh),
        "周五 2026-12-11 18:30 CST"
    );
}

#[test]
fn describe_in_each_language() {
    let fri = utc("2026-12-11T17:30:00Z");
    assert_eq!(
        describe(fri, berlin(), Lang::En),
        "Fri 2026-12-11 18:30 CET"
    );
    assert_eq!(describe(fri, berlin(), Lang::Ru), "Пт 2026-12-11 18:30 CET");
    assert_eq!(
        describe(fri, berlin(), Lang::Zh),
        "周五 2026-12-11 18:30 CET"
    );
    assert_eq!(
        describe(fri, Zone::UTC, Lang::En),
        "Fri 2026-12-11 17:30 UTC"
    );
    // A zone without a letter abbreviation shows its offset.
    assert_eq!(
        describe(fri, zone("Asia/Dubai"), Lang::En),
        "Fri 2026-12-11 21:30 +04:00"
    );
}

#[test]
fn zones_from_config() {
    assert_eq!(Zone::from_config(Some("Europe/Berlin")), Ok(berlin()));
    assert_eq!(Zone::from_config(Some(" europe/berlin ")), Ok(berlin()));
    assert_eq!(Zone::from_config(Some("UTC")), Ok(Zone::UTC));
    let e = Zone::from_config(Some("Mars/Olympus")).unwrap_err();
    assert_eq!(
        e,
        "unknown time zone \"Mars/Olympus\"; use an IANA name such as Europe/Berlin, \
         America/New_York or UTC"
    );
    assert!(Zone::from_config(Some("local")).is_ok());
    assert!(Zone::from_config(None).is_ok());
    assert_eq!(berlin().to_string(), "Europe/Berlin");
}

#[test]
fn system_zone_prefers_tz_then_the_os_then_utc() {
    let pick = Zone::pick_system;
    assert_eq!(
        pick(Some("Asia/Shanghai"), Some("Europe/Berlin")),
        zone("Asia/Shanghai")
    );
    assert_eq!(pick(Some(":Asia/Shanghai"), None), zone("Asia/Shanghai"));
    assert_eq!(
        pick(Some("/usr/share/zoneinfo/America/New_York"), None),
        zone("America/New_York")
    );
    assert_eq!(pick(Some("CET-1CEST"), Some("Europe/Berlin")), berlin());
    assert_eq!(pick(None, Some("Europe/Berlin")), berlin());
    assert_eq!(pick(Some(""), Some("nonsense")), Zone::UTC);
    assert_eq!(pick(None, None), Zone::UTC);
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("time")
}

#[test]
fn slots_parse_sorted_and_checked() {
    assert_eq!(
        parse_slots("09:00, 12:00,15:00"),
        Ok(vec![hm(9, 0), hm(12, 0), hm(15, 0)])
    );
    assert_eq!(
        parse_slots("15:00; 9:00 9:00  5:30pm"),
        Ok(vec![hm(9, 0), hm(15, 0), hm(17, 30)])
    );
    assert_eq!(parse_slots(" , "), Err(WhenError::NoSlots));
    assert_eq!(
        parse_slots("9:00, 25:00"),
        Err(WhenError::BadSlot("25:00".into()))
    );
    assert_eq!(parse_slots("9"), Err(WhenError::BadSlot("9".into())));
    assert_eq!(parse_slots("noon"), Err(WhenError::BadSlot("noon".into())));
    assert_eq!(
        parse_slots("9:00, 2x").unwrap_err().to_string(),
        "cannot read slot \"2x\"; use 24-hour times such as 09:00, 12:30"
    );
}

#[test]
fn next_free_slot_skips_taken_and_past() {
    let slots = [hm(15, 0), hm(9, 0), hm(12, 0)];
    let z = berlin();
    let none_taken = |_: Timestamp| false;
    // 10:00 Wednesday: the next is 12:00 today.
    assert_eq!(
        next_free_slot(&slots, &z, wed_10(), &none_taken, 7),
        Some(utc("2026-12-09T11:00:00Z"))
    );
    // Strictly after: at 12:00 exactly, 15:00.
    assert_eq!(
        next_free_slot(&slots, &z, utc("2026-12-09T11:00:00Z"), &none_taken, 7),
        Some(utc("2026-12-09T14:00:00Z"))
    );
    // Today's remaining slots taken: tomorrow 09:00.
    let taken = |t: Timestamp| t < utc("2026-12-10T00:00:00Z");
    assert_eq!(
        next_free_slot(&slots, &z, wed_10(), &taken, 7),
        Some(utc("2026-12-10T08:00:00Z"))
    );
    // Everything taken within the horizon.
    assert_eq!(next_free_slot(&slots, &z, wed_10(), &|_| true, 3), None);
    assert_eq!(next_free_slot(&[], &z, wed_10(), &none_taken, 3), None);
    // Horizon 0 is the rest of today only.
    assert_eq!(
        next_free_slot(&slots, &z, utc("2026-12-09T15:00:00Z"), &none_taken, 0),
        None
    );
}

#[test]
fn next_free_slot_across_dst() {
    let z = berlin();
    let slots = [hm(2, 30), hm(9, 0)];
    // Saturday 2026-03-28 10:00 CET: Sunday's 02:30 does not exist, so Sunday 09:00 CEST.
    let sat = utc("2026-03-28T09:00:00Z");
    assert_eq!(
        next_free_slot(&slots, &z, sat, &|_| false, 7),
        Some(utc("2026-03-29T07:00:00Z"))
    );
    // Monday's 02:30 is CEST.
    assert_eq!(
        next_free_slot(&slots, &z, utc("2026-03-29T08:00:00Z"), &|_| false, 7),
        Some(utc("2026-03-30T00:30:00Z"))
    );
    // October fold: 02:30 is its first (CEST) instant.
    assert_eq!(
        next_free_slot(&slots, &z, utc("2026-10-24T10:00:00Z"), &|_| false, 7),
        Some(utc("2026-10-25T00:30:00Z"))
    );
    // A huge horizon with everything taken ends.
    assert_eq!(next_free_slot(&slots, &z, sat, &|_| true, u32::MAX), None);
}

#[test]
fn hostile_input_never_panics() {
    let zalgo = format!("z{}", "\u{0301}\u{0316}\u{0344}".repeat(50));
    let inputs = [
        "x".repeat(100_000),
        "\n".repeat(100_000),
        "9".repeat(100_000),
        "+".repeat(1000),
        format!("+{}h", "9".repeat(40)),
        "tomorrow\u{202E} 9:00".to_string(),
        "to\u{200B}morrow 9:00".to_string(),
        "\u{FEFF}now".to_string(),
        "a\u{0}b".to_string(),
        "\x1b[2J9:00".to_string(),
        zalgo,
        "👨‍👩‍👧‍👦 9:00".to_string(),
        "2026-12-10T09:00:00+99:99".to_string(),
        "2026-12-10T09:00:00+".to_string(),
        "9999-12-31T23:59:59Z".to_string(),
        "0000-01-01 00:00".to_string(),
        "2026-12-1é 09:00".to_string(),
        "2026-12-10Té9:00".to_string(),
        "周".to_string(),
        "点点点".to_string(),
        "9点点".to_string(),
        "年月日".to_string(),
        "1年2月".to_string(),
        "：".to_string(),
        "12:".to_string(),
        ":30".to_string(),
        "1.2.3.4".to_string(),
        "--".to_string(),
        "İ 9:00".to_string(),
    ];
    for input in &inputs {
        for z in [berlin(), Zone::UTC, zone("Pacific/Chatham")] {
            for now in [
                wed_10(),
                Timestamp(i64::MAX),
                Timestamp(i64::MIN),
                Timestamp(0),
            ] {
                if let Err(e) = parse_when(input, now, &z) {
                    let msg = e.to_string();
                    assert!(msg.chars().count() < 1000, "{msg}");
                    assert!(!msg.contains('\x1b'), "{msg:?}");
                }
            }
        }
        let _ = parse_slots(input);
    }
    let _ = describe(Timestamp(i64::MAX), berlin(), Lang::Ru);
    let _ = describe(Timestamp(i64::MIN), berlin(), Lang::Zh);
    let _ = Zone::from_config(Some(&"x".repeat(100_000)));
    assert_eq!(parse_when("+1h", Timestamp(i64::MAX), &berlin()).ok(), None);
}
