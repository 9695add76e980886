"""What a privacy policy names: the kinds of personal information a permission or an iOS usage
string reaches, and the third-party SDKs.

《App违法违规收集使用个人信息行为认定方法》 二.1 asks an app to list, one by one, the purposes,
methods and scope of the personal information it collects, third-party SDKs included; 四.1
forbids permissions unrelated to its functions. mgov cannot judge necessity, but it can tell
which permissions reach something the policy never mentions, and which SDKs it never names.
The test is a word list (Chinese and English) per group: a policy that mentions 位置 or
location justifies the location permissions. A heuristic, documented in docs/apps.md.
"""

from __future__ import annotations

import re

# Android permission (without the android.permission. prefix) -> what it reaches.
PERMISSION_GROUPS: dict[str, str] = {
    **dict.fromkeys(("ACCESS_FINE_LOCATION", "ACCESS_COARSE_LOCATION", "ACCESS_BACKGROUND_LOCATION",
                     "ACCESS_MEDIA_LOCATION"), "location"),
    **dict.fromkeys(("READ_CONTACTS", "WRITE_CONTACTS"), "contacts"),
    "GET_ACCOUNTS": "accounts",
    **dict.fromkeys(("READ_PHONE_STATE", "READ_PHONE_NUMBERS", "CALL_PHONE", "ANSWER_PHONE_CALLS", "USE_SIP",
                     "PROCESS_OUTGOING_CALLS", "ACCEPT_HANDOVER", "ADD_VOICEMAIL"), "phone"),
    **dict.fromkeys(("READ_CALL_LOG", "WRITE_CALL_LOG"), "call_log"),
    **dict.fromkeys(("SEND_SMS", "RECEIVE_SMS", "READ_SMS", "RECEIVE_WAP_PUSH", "RECEIVE_MMS",
                     "READ_CELL_BROADCASTS"), "sms"),
    **dict.fromkeys(("READ_EXTERNAL_STORAGE", "WRITE_EXTERNAL_STORAGE", "READ_MEDIA_IMAGES", "READ_MEDIA_VIDEO",
                     "READ_MEDIA_AUDIO", "READ_MEDIA_VISUAL_USER_SELECTED"), "storage"),
    "CAMERA": "camera",
    "RECORD_AUDIO": "microphone",
    **dict.fromkeys(("READ_CALENDAR", "WRITE_CALENDAR"), "calendar"),
    **dict.fromkeys(("BODY_SENSORS", "BODY_SENSORS_BACKGROUND", "ACTIVITY_RECOGNITION", "EYE_TRACKING_COARSE",
                     "EYE_TRACKING_FINE", "FACE_TRACKING", "HAND_TRACKING", "HEAD_TRACKING",
                     "SCENE_UNDERSTANDING_COARSE", "SCENE_UNDERSTANDING_FINE"), "sensors"),
    **dict.fromkeys(("BLUETOOTH_SCAN", "BLUETOOTH_CONNECT", "BLUETOOTH_ADVERTISE", "NEARBY_WIFI_DEVICES",
                     "UWB_RANGING", "RANGING"), "nearby"),
    "POST_NOTIFICATIONS": "notifications",
}

# iOS Info.plist usage-description key -> what it reaches.
USAGE_GROUPS: dict[str, str] = {
    **dict.fromkeys(("NSLocationWhenInUseUsageDescription", "NSLocationAlwaysAndWhenInUseUsageDescription",
                     "NSLocationAlwaysUsageDescription", "NSLocationUsageDescription",
                     "NSLocationTemporaryUsageDescriptionDictionary"), "location"),
    "NSContactsUsageDescription": "contacts",
    "NSCameraUsageDescription": "camera",
    **dict.fromkeys(("NSMicrophoneUsageDescription", "NSSpeechRecognitionUsageDescription"), "microphone"),
    **dict.fromkeys(("NSPhotoLibraryUsageDescription", "NSPhotoLibraryAddUsageDescription",
                     "NSAppleMusicUsageDescription"), "storage"),
    **dict.fromkeys(("NSCalendarsUsageDescription", "NSCalendarsFullAccessUsageDescription",
                     "NSCalendarsWriteOnlyAccessUsageDescription", "NSRemindersUsageDescription",
                     "NSRemindersFullAccessUsageDescription"), "calendar"),
    **dict.fromkeys(("NSBluetoothAlwaysUsageDescription", "NSBluetoothPeripheralUsageDescription",
                     "NSLocalNetworkUsageDescription", "NSNearbyInteractionUsageDescription"), "nearby"),
    **dict.fromkeys(("NSMotionUsageDescription", "NSHealthShareUsageDescription", "NSHealthUpdateUsageDescription",
                     "NSSensorKitUsageDescription"), "sensors"),
    "NSFaceIDUsageDescription": "biometrics",
    "NSUserTrackingUsageDescription": "tracking",
}

# What a policy says when it covers a group (lower case; Chinese and English).
GROUP_WORDS: dict[str, tuple[str, ...]] = {
    "location": ("位置", "定位", "地理", "行踪", "location", "gps"),
    "contacts": ("通讯录", "联系人", "contacts", "address book"),
    "accounts": ("账户", "账号", "帐号", "帐户", "account"),
    "phone": ("电话", "设备信息", "设备标识", "设备识别", "imei", "手机号", "phone", "device id", "device identifier"),
    "call_log": ("通话记录", "call log"),
    "sms": ("短信", "sms", "text message"),
    "storage": ("存储", "文件", "相册", "照片", "图片", "storage", "files", "photos"),
    "camera": ("相机", "摄像头", "拍照", "拍摄", "扫码", "扫一扫", "camera"),
    "microphone": ("麦克风", "录音", "语音", "microphone", "audio", "voice"),
    "calendar": ("日历", "日程", "提醒事项", "calendar", "reminders"),
    "sensors": ("传感器", "运动", "步数", "健康", "sensor", "physical activity", "fitness", "health"),
    "nearby": ("蓝牙", "附近设备", "局域网", "wlan", "bluetooth", "nearby", "local network"),
    "notifications": ("通知", "推送", "notification", "push"),
    "biometrics": ("面容", "人脸", "生物识别", "face id", "biometric"),
    "tracking": ("广告标识", "idfa", "跟踪", "追踪", "tracking", "advertising identifier"),
}

# Chinese names under which policies list common SDKs (the list's names are English).
SDK_ALIASES: dict[str, tuple[str, ...]] = {
    "umeng": ("友盟",), "jpush": ("极光",), "jiguang": ("极光",), "getui": ("个推",), "tencent": ("腾讯",),
    "bugly": ("bugly",), "baidu": ("百度",), "alibaba": ("阿里",), "alipay": ("支付宝",), "amap": ("高德",),
    "autonavi": ("高德",), "huawei": ("华为",), "xiaomi": ("小米",), "bytedance": ("字节跳动",),
    "pangle": ("穿山甲",), "sina": ("新浪",), "weibo": ("微博",), "wechat": ("微信",), "google": ("谷歌",),
    "facebook": ("脸书",), "mob": ("mobtech", "袤博"), "sensors": ("神策",), "growingio": ("growingio",),
    "talkingdata": ("talkingdata",), "igexin": ("个推",), "qq": ("腾讯",),
}


def policy_words(text: str) -> str:
    """The policy as the tests read it: lower case, runs of spaces as one."""
    return re.sub(r"\s+", " ", text).lower()


def permission_group(name: str) -> str | None:
    return PERMISSION_GROUPS.get(name.removeprefix("android.permission."))


def group_named(group: str | None, policy: str) -> bool | None:
    """The policy (from policy_words) mentions what the group reaches; None for no group."""
    if group is None or group not in GROUP_WORDS:
        return None
    return any(word in policy for word in GROUP_WORDS[group])


def sdk_named(name: str, website: str | None, policy: str) -> bool:
    """The policy (from policy_words) names the SDK: its name, a word of its name at least 4
    letters long that is neither generic nor a large company's (naming Google is not naming
    Google Analytics), its website's domain label, or a Chinese alias."""
    lowered = name.lower()
    if lowered in policy:
        return True
    words = [w for w in re.split(r"[^a-z0-9]+", lowered) if len(w) >= 4 and w not in _GENERIC | _COMPANIES]
    if website:
        host = re.sub(r"^https?://(www\.)?", "", website.lower()).split("/")[0]
        label = host.split(".")[-2] if host.count(".") >= 1 else host
        if len(label) >= 4 and label not in _COMPANIES:
            words.append(label)
    tokens = set(re.split(r"[^a-z0-9]+", lowered)) | set(words)
    aliases = [alias for token in tokens for alias in SDK_ALIASES.get(token, ())]
    return any(re.search(rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])", policy) for w in words) or any(
        alias in policy for alias in aliases)


_GENERIC = frozenset({"analytics", "android", "mobile", "crash", "reporting", "push", "notification",
                      "notifications", "tracker", "tracking", "advertising", "ads", "sdk", "library", "services",
                      "service", "cloud", "messaging", "marketing", "platform", "location", "maps", "social",
                      "share", "login", "kit", "plus", "open", "data", "insights", "engage"})
# Companies with many SDKs: their name alone does not name one of them.
_COMPANIES = frozenset({"google", "facebook", "meta", "amazon", "microsoft", "yandex", "twitter", "tencent", "baidu",
                        "alibaba", "huawei", "xiaomi", "samsung", "oracle", "adobe", "yahoo", "verizon", "apple"})
