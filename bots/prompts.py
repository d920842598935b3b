"""Every sentence the bots say, in Vietnamese, and the options of each step of the conversation."""
from __future__ import annotations

import datetime as dt

from bots.replies import CONTACT, LOCATION, Button, Reply
from service.domain.codes import CHANNELS, KINDS, STEPS
from service.domain.deadlines.calendar import VN_TZ
from service.domain.notifications import chat_state

YES = ("co", "dong y", "ok", "yes", "u", "vang", "chac chan")
NO = ("khong", "ko", "no", "k", "khong dong y")
SKIP = Button("Bỏ qua", "skip", aliases=("bo qua", "khong", "ko", "skip", "khong co"))
DONE = Button("Xong", "done", aliases=("xong", "done", "het", "tiep", "tiep tuc", "da xong", "gui"))

GREETING = ("Xin chào! Đây là kênh tiếp nhận phản ánh, kiến nghị, khiếu nại, tố cáo của UBND các xã, phường, "
            "đặc khu thành phố Hải Phòng. Bạn cần gì?")
MENU = [
    Button("Gửi phản ánh, kiến nghị", "pakn", aliases=("phan anh", "kien nghi", "gui phan anh", "gui kien nghi")),
    Button("Gửi khiếu nại, tố cáo", "kntc", aliases=("khieu nai", "to cao", "gui khieu nai", "gui to cao")),
    Button("Tra cứu đơn", "lookup", aliases=("tra cuu", "tra cuu don", "xem don")),
    Button("Hướng dẫn", "help", aliases=("huong dan", "help", "tro giup")),
]
HELP = ("Hướng dẫn:\n"
        "• Chọn “Gửi phản ánh, kiến nghị” hoặc “Gửi khiếu nại, tố cáo”, rồi trả lời từng câu hỏi. "
        "Bạn có thể gửi nhiều tin nhắn và ảnh để mô tả sự việc.\n"
        "• Sau khi gửi, bạn nhận mã đơn và hạn xử lý; kết quả giải quyết được gửi lại qua kênh này.\n"
        "• /tracuu <mã đơn>: xem tình trạng đơn.  /huy: huỷ đơn đang soạn.  /start: về trình đơn chính.\n"
        "• Có thể gõ có dấu hoặc không dấu, hoặc gõ số thứ tự của lựa chọn.\n"
        "• Có thể gõ ngay nội dung sự việc: tin nhắn đầu tiên được ghi làm nội dung đơn.\n"
        "• Tố cáo nặc danh: ở bước số điện thoại, chọn “Gửi nặc danh” (Luật Tố cáo 2018 Điều 25).\n"
        "• Muốn gửi kèm tệp lớn, hãy dùng cổng thông tin trên web.")

KIND_EXPLAINED = {
    "phan_anh": "Phản ánh: báo cho chính quyền biết một sự việc, vấn đề (đường hỏng, rác thải, ô nhiễm…).",
    "kien_nghi": "Kiến nghị: đề nghị chính quyền làm, sửa đổi hoặc bổ sung một việc.",
    "khieu_nai": "Khiếu nại: đề nghị xem xét lại quyết định hoặc việc làm của cơ quan, cán bộ "
                 "ảnh hưởng đến quyền lợi của chính bạn.",
    "to_cao": "Tố cáo: báo hành vi vi phạm pháp luật của cán bộ, cơ quan hoặc người khác; "
              "danh tính người tố cáo được giữ bí mật.",
}
KIND_ALIASES = {"phan_anh": ("phan anh",), "kien_nghi": ("kien nghi",), "khieu_nai": ("khieu nai",),
                "to_cao": ("to cao",)}
UNSURE = Button("Không rõ, nhờ cán bộ phân loại", "unsure", aliases=("khong ro", "khong biet", "chua ro"))
GROUP_KINDS = {"pakn": ("phan_anh", "kien_nghi"), "kntc": ("khieu_nai", "to_cao")}

DESCRIBE = ("Hãy mô tả sự việc: việc gì, ở đâu, từ khi nào, ai liên quan và bạn đề nghị gì. "
            "Bạn có thể gửi nhiều tin nhắn và tối đa 5 ảnh. Khi xong, bấm “Xong” (hoặc gõ: xong).")
UNIT = ("Đơn gửi tới xã, phường hay đặc khu nào? Gõ tên, có dấu hay không dấu đều được "
        "(ví dụ: Nam Đồ Sơn, an khanh, Cát Hải).")
PLACE = "Sự việc xảy ra ở đâu? Gửi vị trí, gõ địa chỉ, hoặc bấm “Bỏ qua”."
CONTACT_ASK = "Số điện thoại để cơ quan liên hệ với bạn? Bấm “Chia sẻ số điện thoại” hoặc gõ số (ví dụ 0912345678)."
CONTACT_REQUIRED = " Với đơn khiếu nại, tố cáo, cần có họ tên và cách liên hệ của người gửi."
CONTACT_ANONYMOUS = " Nếu không muốn ghi danh tính, bấm “Gửi nặc danh”."
# A citizen who starts by typing the story: the first message is the description, the kind is asked after.
STORY_TAKEN = "Đã ghi nhận nội dung bạn vừa gửi. Để chuyển đúng nơi, xin cho biết đây là loại đơn nào."
STORY_MORE = ("Nội dung bạn gửi đã được ghi. Gửi thêm tin nhắn hoặc ảnh (tối đa 5) nếu cần, rồi bấm “Xong” "
              "(hoặc gõ: xong).")
# Anonymous denunciation (Luật Tố cáo 2018 Điều 25; legal.md "Anonymous"): not handled as a tố cáo but as
# information; no acknowledgement, no tracking code, no notice; the chat account is not kept with it.
ANONYMOUS = Button("Gửi nặc danh", "anonymous", aliases=("nac danh", "gui nac danh", "an danh", "giau ten"))
ANONYMOUS_NOTE = ("Bạn chọn gửi nặc danh: đơn không ghi họ tên, số điện thoại, và tài khoản chat của bạn không được "
                  "lưu cùng đơn. Theo Luật Tố cáo 2018 Điều 25, tố cáo nặc danh không được giải quyết theo thủ tục tố "
                  "cáo và bạn sẽ không nhận được thông báo hay kết quả; nếu nội dung rõ ràng, có chứng cứ cụ thể, "
                  "cơ quan có thẩm quyền dùng thông tin để thanh tra, kiểm tra. Hãy ghi rõ người vi phạm, hành vi "
                  "và chứng cứ.")
ANONYMOUS_RECEIVED = ("Đã nhận thông tin tố cáo nặc danh của bạn. Theo Luật Tố cáo 2018 Điều 25, thông tin được chuyển "
                      "đến cơ quan có thẩm quyền để xem xét, thanh tra, kiểm tra nếu nội dung rõ ràng, có chứng cứ cụ "
                      "thể; cơ quan không gửi thông báo hay kết quả cho người gửi nặc danh. Cảm ơn bạn.")
NAME = "Họ và tên của bạn?"
CO_SIGNERS = ("Có bao nhiêu người cùng đứng tên đơn này? Gõ số người cùng ký ngoài bạn "
              "(0 nếu chỉ mình bạn).")
# A crowd's representatives (Luật Tiếp công dân Điều 29), asked one by one.
REP_INTRO = ("Đơn có {people} người cùng đứng tên. Theo Luật Tiếp công dân (Điều 29), những người cùng đứng tên "
             "cử từ {low} đến {high} người đại diện để trình bày và nhận thông báo. Xin cho biết từng người đại diện.")
REP_NAME = "Người đại diện thứ {n}: gõ họ và tên."
REP_OR_DONE = " Nếu đã đủ, bấm “Xong” (hoặc gõ: xong)."
REP_PHONE = "Số điện thoại của người đại diện {name}? (ví dụ 0912345678)"
REP_NOTED = "Đã ghi người đại diện thứ {n}: {who}."
REP_SELF = Button("Tôi là người đại diện", "self", aliases=("toi", "la toi", "toi la nguoi dai dien", "chinh toi"))
CONSENT = ("Để giải quyết đơn, cơ quan cần thu thập và xử lý dữ liệu cá nhân của bạn (họ tên, số điện thoại, vị trí, "
           "nội dung, ảnh) theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15, chỉ để giải quyết đơn và liên hệ "
           "với bạn; người tố cáo được giữ bí mật danh tính. Bạn có đồng ý không?")
CONSENT_REFUSED = ("Không thể gửi đơn khi bạn chưa đồng ý cho xử lý dữ liệu cá nhân. Thông tin vừa nhập đã được xoá. "
                   "Bạn vẫn có thể đến trụ sở UBND để gửi đơn trực tiếp.")
LOOKUP = ("Nhập mã đơn (ví dụ K7M4-Q2XA-R). Đơn gửi qua kênh khác thì gõ: /tracuu <mã đơn> <số điện thoại>, "
          "hoặc /tracuu <mã đơn> <mã truy cập> với đơn không có số điện thoại.")
CANCELLED = "Đã huỷ đơn đang soạn; thông tin đã nhập được xoá."
NOTHING_TO_CANCEL = "Bạn không có đơn nào đang soạn."
STILL_DRAFTING = "Bạn đang soạn dở một đơn. Hãy tiếp tục, hoặc gõ /huy để huỷ."
PICK_ONE = "Vui lòng chọn một trong các mục dưới đây."
ASK = "Bạn cần gì? Chọn một mục dưới đây."
UNKNOWN_COMMAND = "Lệnh không hợp lệ."
APOLOGY = "Xin lỗi, hệ thống gặp sự cố khi xử lý tin nhắn vừa rồi. Vui lòng gửi lại sau ít phút."

CONFIRM = [Button("Gửi đơn", "send", aliases=("gui", "gui don", "co", "dong y", "ok")),
           Button("Sửa", "edit", aliases=("sua", "sua lai", "chinh sua")),
           Button("Huỷ", "cancel", aliases=("huy",))]
EDIT = [Button("Loại đơn", "kind", aliases=("loai", "loai don")),
        Button("Nội dung", "describe", aliases=("noi dung",)),
        Button("Xã, phường, đặc khu", "unit", aliases=("xa", "phuong", "don vi")),
        Button("Địa điểm", "place", aliases=("dia diem", "vi tri")),
        Button("Số điện thoại", "contact", aliases=("so dien thoai", "dien thoai", "sdt")),
        Button("Họ tên", "name", aliases=("ho ten", "ten")),
        Button("Số người cùng ký, người đại diện", "co_signers",
               aliases=("so nguoi", "nguoi cung ky", "so nguoi cung ky", "nguoi dai dien", "dai dien")),
        Button("Quay lại", "back", aliases=("quay lai", "thoi"))]
REOPEN_ASK = ("Rất tiếc vì bạn chưa hài lòng. Bạn có muốn đề nghị cơ quan xem xét lại đơn {code} không?")
REOPEN_DONE = ("Đơn {code} đã được mở lại để xem xét lại theo đề nghị của bạn. Cán bộ sẽ xem xét và trả lời bạn "
               "qua kênh này.")
THANKS_RATING = "Cảm ơn bạn đã đánh giá ({score}/5)."

STEP_HINTS = {
    "xu_ly_don": "cơ quan xem xét đơn và báo cho bạn biết đơn được nhận giải quyết, hướng dẫn hay chuyển đi",
    "thu_ly": "cơ quan quyết định có thụ lý (nhận giải quyết) đơn hay không",
    "tra_loi": "cơ quan trả lời bạn",
    "giai_quyet": "cơ quan giải quyết xong và ra quyết định, kết luận",
    "chuyen_don": "cơ quan chuyển đơn tới nơi có thẩm quyền và báo cho bạn",
}


def date_vn(value: dt.datetime) -> str:
    return f"{value.astimezone(VN_TZ):%d/%m/%Y}"


def menu(text: str = GREETING) -> Reply:
    return Reply(text, list(MENU))


def kind_buttons(group: str | None) -> list[Button]:
    kinds = GROUP_KINDS.get(group or "", tuple(KINDS))
    return [Button(KINDS[k], k, aliases=KIND_ALIASES[k]) for k in kinds] + [UNSURE]


def kind_prompt(group: str | None) -> Reply:
    kinds = GROUP_KINDS.get(group or "", tuple(KINDS))
    lines = "\n".join(f"• {KIND_EXPLAINED[k]}" for k in kinds)
    return Reply(f"Bạn muốn gửi loại đơn nào?\n{lines}", kind_buttons(group))


def place_buttons() -> list[Button]:
    return [Button("📍 Gửi vị trí", "location", kind=LOCATION), SKIP]


def contact_buttons(optional: bool, anonymous: bool = False) -> list[Button]:
    """`anonymous`: a denunciation may be sent without identity (Luật Tố cáo 2018 Điều 25)."""
    return [Button("📞 Chia sẻ số điện thoại", "contact", kind=CONTACT)] + ([SKIP] if optional else []) + \
        ([ANONYMOUS] if anonymous else [])


def name_buttons(suggested: str | None, optional: bool) -> list[Button]:
    buttons = [Button(suggested, "suggested")] if suggested else []
    return buttons + ([SKIP] if optional else [])


def co_signer_buttons() -> list[Button]:
    return [Button("0 – chỉ mình tôi", "0", aliases=("0", "khong", "ko", "chi minh toi", "khong co"))]


def consent_buttons() -> list[Button]:
    return [Button("Đồng ý", "yes", aliases=YES), Button("Không đồng ý", "no", aliases=NO)]


def yes_no() -> list[Button]:
    return [Button("Có", "yes", aliases=YES), Button("Không", "no", aliases=NO)]


def rating_reply(code: str, text: str | None = None) -> Reply:
    """The rating question with its five buttons (Telegram: attached to the message), as queued with an answer."""
    return Reply.from_outbox(text or "", chat_state.rating_payload(code))


def receipt(code: str, step: str | None, due: dt.datetime | None, channel: str, access_key: str | None = None) -> Reply:
    lines = ["Đơn của bạn đã được tiếp nhận.", f"Mã đơn: {code}"]
    if access_key:  # a petition without a phone: the key proves it is theirs anywhere else (web, API)
        lines.append(f"Mã truy cập: {access_key} – chỉ cấp một lần, hãy lưu lại và giữ kín. Trên trang web, tra cứu "
                     f"bằng mã đơn và mã truy cập này.")
    if step and due:
        lines.append(f"Hạn {STEPS.get(step, step).lower()}: chậm nhất ngày {date_vn(due)} – {STEP_HINTS.get(step, '')}.")
    lines.append(f"Hãy lưu mã này. Gõ /tracuu {code} để xem tình trạng đơn; kết quả giải quyết sẽ được gửi cho bạn "
                 f"qua {CHANNELS.get(channel, channel)}.")
    return Reply("\n".join(lines))


def group_hint(chat_id: str, office: str | None) -> Reply:
    """The answer to /dangky in a staff group: its id, for the administrator's register-group command."""
    if office:
        return Reply(f"Nhóm này đã được đăng ký nhận thông báo của {office}. Mã nhóm: {chat_id}")
    return Reply(f"Mã nhóm này là {chat_id}. Để nhóm nhận cờ cảnh báo và bản tổng hợp của một phòng, quản trị viên "
                 f"chạy: python -m bots.admin register-group --channel telegram --unit <mã đơn vị> "
                 f"--office <mã phòng> --chat-id {chat_id}")
