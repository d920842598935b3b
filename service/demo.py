"""A realistic demo data set, so a freshly started service has something to show. Safe to re-run."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.codes import ROLES
from service.domain.deadlines.calendar import VN_TZ
from service.domain.dialogues import operations as dialogue
from service.domain.dialogues import speakers
from service.domain.inbound import CITIZEN, Actor, InboundMessage, Location, PersonData
from service.domain.intake import operations as intake
from service.domain.people import accounts
from service.domain.workflow import operations as workflow
from service.models.user import User

DEMO_PASSWORD = "tiepdan-demo-2026"
OFFICE_NAMES = {"van_phong": "Văn phòng HĐND và UBND", "phong_kinh_te": "Phòng Kinh tế",
                "phong_vhxh": "Phòng Văn hóa - Xã hội"}

DEMO_USERS = [
    dict(username="admin", role="admin", full_name="Quản trị hệ thống"),
    dict(username="vanphong.catHai", role="staff", unit="11914", office="van_phong", full_name="Nguyễn Thị Lan"),
    dict(username="kinhte.catHai", role="staff", unit="11914", office="phong_kinh_te", full_name="Trần Văn Hùng"),
    dict(username="truongphong.catHai", role="office_head", unit="11914", office="phong_kinh_te",
         full_name="Phạm Quốc Bảo"),
    dict(username="chutich.catHai", role="chairperson", unit="11914", full_name="Vũ Minh Đức"),
    dict(username="vanphong.namDoSon", role="staff", unit="Nam Đồ Sơn", office="van_phong", full_name="Lê Thu Hà"),
    dict(username="thanhtra", role="inspector", full_name="Đỗ Thanh Tâm"),
]

# (unit, channel, kind or None, text, place)
DEMO_PETITIONS = [
    ("11914", "web", "phan_anh", "Đèn đường trên trục đường Hà Sen, thị trấn Cát Bà bị hỏng hơn hai tuần nay, buổi tối "
     "rất tối, người dân đi lại nguy hiểm. Đề nghị đặc khu cho sửa chữa sớm.", "Đường Hà Sen, Cát Bà"),
    ("11914", "zalo", None, "bãi rác gần chợ cát bà bốc mùi hôi thối quá, mấy hôm nay ko ai dọn, ruồi nhặng nhiều",
     "Chợ Cát Bà"),
    ("11914", "telegram", "kien_nghi", "Kính đề nghị UBND đặc khu xem xét lắp thêm biển báo giảm tốc độ tại đoạn "
     "cua gần trường tiểu học Cát Bà, giờ tan học xe máy đi rất nhanh.", "Trường Tiểu học Cát Bà"),
    ("11914", "web", "khieu_nai", "Tôi khiếu nại Quyết định thu hồi đất số 125/QĐ-UBND về việc bồi thường khi giải "
     "phóng mặt bằng dự án mở rộng đường xuyên đảo. Đơn giá bồi thường đất vườn của gia đình tôi thấp hơn nhiều so "
     "với các hộ liền kề, đề nghị xem xét lại.", "Thôn Liên Minh, xã Trân Châu cũ"),
    ("11914", "hotline", None, "Công dân gọi đường dây nóng phản ánh quán karaoke ở tổ dân phố 5 hát đến 1 giờ sáng, "
     "gây ồn ào, mất trật tự, nhiều lần nhắc nhở không được.", "Tổ dân phố 5"),
    ("11914", "web", "to_cao", "Tôi tố cáo ông Nguyễn Văn K., cán bộ địa chính, đã yêu cầu gia đình tôi đưa 5 triệu "
     "đồng mới giải quyết hồ sơ cấp giấy chứng nhận quyền sử dụng đất.", None),
    ("11737", "web", "phan_anh", "Cống thoát nước ở ngõ 12 đường Lý Thánh Tông bị tắc, mỗi khi mưa to nước ngập "
     "vào nhà dân.", "Ngõ 12 Lý Thánh Tông"),
    ("11737", "email", None, "Kính gửi UBND phường Nam Đồ Sơn. Hồ sơ đăng ký khai sinh cho con tôi nộp tại bộ phận "
     "một cửa từ ngày 03 đến nay đã quá hẹn mà chưa có kết quả. Đề nghị phường kiểm tra.", None),
    ("11737", "zalo", None, "nha may o gan khu dan cu xa khoi den ca ngay, bui bam kin mai nha, de nghi phuong kiem tra",
     "Khu dân cư Vạn Hương"),
    ("11737", "in_person", "kien_nghi", "Công dân đến trụ sở kiến nghị xem xét bổ sung gia đình vào danh sách hộ cận "
     "nghèo năm 2026 vì chồng mới mất sức lao động.", None),
    ("Kim Thành", "web", "phan_anh", "Đoạn đường liên thôn từ thôn Kim Đôi đi chợ bị sụt lún nhiều ổ gà, xe chở "
     "nông sản đi lại rất khó khăn.", "Thôn Kim Đôi"),
    ("Kim Thành", "sms", None, "Xin hoi thu tuc xin giay phep xay dung nha o rieng le o xa can nhung giay to gi a",
     None),
    ("An Khánh", "telegram", "kien_nghi", "Đề nghị xã sớm chi trả tiền hỗ trợ cho các hộ nuôi trồng thủy sản bị "
     "thiệt hại do bão số 3.", None),
    ("An Khánh", "web", None, "Doanh nghiệp chúng tôi trong cụm công nghiệp gặp khó khăn về thủ tục thuê đất và "
     "đấu nối điện, kiến nghị được hướng dẫn.", "Cụm công nghiệp An Khánh"),
    ("Thủy Nguyên", "web", "phan_anh", "Trạm y tế phường thiếu thuốc điều trị huyết áp cho người cao tuổi trong "
     "tháng này, đề nghị bổ sung.", "Trạm y tế phường"),
]

NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang",
         "Đặng Văn Hải", "Bùi Thị Hoa", "Đỗ Văn Khánh", "Ngô Thị Liên"]


ANSWER = ("UBND đã kiểm tra thực tế và giao đơn vị chuyên môn xử lý dứt điểm trong tuần. "
          "Cảm ơn ông/bà đã phản ánh; nếu còn vướng mắc xin liên hệ Văn phòng HĐND và UBND.")


def _advance(session: Session, petition, actor: Actor, received: dt.datetime, rng: random.Random) -> None:
    """Move some demo petitions along the workflow, as paper history, so every state has examples."""
    age = (utcnow() - received).days
    if age < 5 or rng.random() < 0.3:
        return
    at = received + dt.timedelta(days=2)
    if petition.kind in ("khieu_nai", "to_cao"):
        if petition.kind == "to_cao" and petition.anonymous:
            return
        workflow.perform(session, petition, "accept", actor, at=at, paper=True)
        if age > 15:
            workflow.perform(session, petition, "answer", actor, at=at + dt.timedelta(days=10), paper=True,
                             text=ANSWER, document_number=f"{rng.randint(10, 300)}/QĐ-UBND")
    elif age > 10:
        workflow.perform(session, petition, "answer", actor, at=at + dt.timedelta(days=3), paper=True, text=ANSWER)
        if age > 30:
            workflow.perform(session, petition, "close", actor, at=at + dt.timedelta(days=6), paper=True)


def load_demo(session: Session, count: int = 60, seed: int = 2026) -> str:
    if session.scalar(select(User).where(User.username == "admin")) is not None:
        return "Dữ liệu mẫu đã có; không tạo thêm."
    for spec in DEMO_USERS:
        accounts.create_user(session, password=DEMO_PASSWORD, **spec)
    staff = session.scalar(select(User).where(User.username == "vanphong.catHai"))
    staff_actor = Actor(label=staff.full_name, user_id=staff.id, role=staff.role)
    # Paper history is entered by the unit's Văn phòng, or by the admin where the demo has none (access policy).
    admin = session.scalar(select(User).where(User.username == "admin"))
    clerks = {u.unit_id: Actor(label=u.full_name, user_id=u.id, role=u.role) for u in session.scalars(
        select(User).where(User.username.like("vanphong.%")))}
    rng = random.Random(seed)
    now = utcnow()
    for i in range(count):
        unit, channel, kind, text, place = DEMO_PETITIONS[i % len(DEMO_PETITIONS)]
        name = NAMES[i % len(NAMES)]
        staff_channel = channel in {"hotline", "email", "sms", "in_person"}
        received = now - dt.timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 8))
        message = InboundMessage(
            channel=channel, content=text, unit=unit, kind=kind,
            petitioner=PersonData(name=name, phone=f"09{rng.randint(10000000, 99999999)}",
                                  address=f"Số {rng.randint(1, 200)}, {place or 'tổ dân phố 3'}"),
            location=Location(address=place) if place else None, consent=True,
            co_signers=rng.choice([0, 0, 0, 2, 6]),
            received_at=received if staff_channel else None,
        )
        # A crowd speaks through representatives (Luật Tiếp công dân Điều 29): in the demo, its sender.
        message.petitioner.representative = message.co_signer_count + 1 >= 5
        submitted = intake.submit(session, message, staff_actor if staff_channel else CITIZEN,
                                  now=None if staff_channel else received)
        clerk = clerks.get(submitted.petition.unit_id, Actor(label=admin.full_name, user_id=admin.id, role="admin"))
        _advance(session, submitted.petition, clerk, received, rng)
    ds = _demo_dialogue(session, staff_actor, now)
    return (f"Đã tạo {len(DEMO_USERS)} tài khoản mẫu (mật khẩu: {DEMO_PASSWORD}), {count} đơn mẫu và một phiên "
            f"đối thoại ngày {ds.starts_at.astimezone(VN_TZ):%d/%m/%Y} với {len(DEMO_SPEAKERS)} người đăng ký.\n"
            "Tài khoản:\n" + "\n".join(f"  {u['username']:<20} {account_role(u)}" for u in DEMO_USERS))


def account_role(spec: dict) -> str:
    """'Trưởng phòng — Phòng Kinh tế, 11914': what the account may do, shown beside its name."""
    where = ", ".join(str(x) for x in (spec.get("office") and OFFICE_NAMES.get(spec["office"], spec["office"]),
                                       spec.get("unit")) if x)
    return ROLES[spec["role"]] + (f" — {where}" if where else "")


DEMO_SPEAKERS = [
    ("Hoàng Văn Thắng", "0912555101", "Bao giờ đặc khu di dời bãi rác gần chợ Cát Bà?"),
    ("Ngô Thị Mai", "0912555102", "Đề nghị lắp đèn chiếu sáng đường Hà Sen."),
    ("Đặng Quốc Khánh", "0912555103", "Tiến độ chi trả bồi thường dự án đường xuyên đảo?"),
]


def _demo_dialogue(session: Session, actor: Actor, now: dt.datetime):
    """Cát Hải's dialogue conference ten days ahead, announced, with citizens registered to speak (task 4.3)."""
    ds = dialogue.create_session(session, actor, unit="11914", starts_at=now + dt.timedelta(days=10), time="08:00",
                                 place="Hội trường UBND đặc khu Cát Hải", chair="Vũ Minh Đức",
                                 topics=["Vệ sinh môi trường khu chợ Cát Bà", "Chiếu sáng, giao thông nội thị",
                                         "Bồi thường, giải phóng mặt bằng đường xuyên đảo"],
                                 participants=["phong_kinh_te", "phong_vhxh"], now=now)
    dialogue.announce(session, ds, actor, now=now)
    for name, phone, question in DEMO_SPEAKERS:
        speakers.register(session, ds, name=name, phone=phone, question=question, now=now)
    return ds
