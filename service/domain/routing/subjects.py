"""What a catalogue task is about, so that plans numbering differently are merged by meaning, not by number.

Each plan numbers its tasks its own way: Cát Hải's 2.2 is the city's 2.6 ("Chính quyền thân thiện"), while the
city's 2.2 is housing. A task's subjects are the entries of SUBJECTS whose words its title carries (diacritics and
punctuation ignored, service.domain.text.fold), each under its field; a city task is already in a unit's plan
when one of the unit's tasks names the same subject of the same field. Curated from the five seed plans
(config/catalogue); a task naming no subject is never taken for another.
"""
from __future__ import annotations

from functools import lru_cache

from service.domain.text import fold

# field (domain.md "Fields", the `category` codes; "dan_van" for the dân vận / dân chủ programme itself)
#   -> subject -> alternatives; an alternative holds when every one of its phrases is in the folded title.
FIELDS: dict[str, dict[str, tuple[tuple[str, ...], ...]]] = {
    "ha_tang_giao_thong": {"quy_hoach": (("quy hoach chung",),)},
    "xay_dung_nha_o": {"nha_o": (("nha o xa hoi",), ("phat trien nha o",))},
    "moi_truong": {"nong_thon_moi": (("nong thon moi",),)},
    "dat_dai": {"boi_thuong_tai_dinh_cu": (("boi thuong", "tai dinh cu"),),
                "giay_chung_nhan_dat": (("giay chung nhan quyen su dung dat",),)},
    "doanh_nghiep": {"hop_tac_quoc_te": (("hop tac quoc te",),),
                     "doi_thoai_doanh_nghiep": (("doi thoai", "doanh nghiep"),),
                     "moi_truong_kinh_doanh": (("cat giam don gian hoa",),)},
    "thu_tuc_hanh_chinh": {"chuyen_doi_so": (("chuyen doi so", "chinh quyen dien tu"),),
                           "cai_cach_hanh_chinh": (("chuong trinh tong the cai cach hanh chinh",),),
                           "tiep_nhan_phan_anh": (("tiep nhan", "phan anh", "kien nghi"),
                                                  ("giai quyet don", "kien nghi")),
                           "hai_long": (("su hai long",),)},
    "can_bo_cong_vu": {"chinh_quyen_than_thien": (("chinh quyen than thien",),),
                       "cong_so_than_thien": (("cong so than thien",),),
                       "trach_nhiem_tiep_dan": (("trach nhiem thu truong", "tiep dan"),),
                       "don_vi_su_nghiep": (("sap xep lai don vi su nghiep",),),
                       "tam_tu_can_bo": (("tam tu nguyen vong",),)},
    "dan_van": {"tuyen_truyen_van_ban": (("quan triet",), ("tuyen truyen", "van ban")),
                "chu_de_nam": (("chu de nam",),),
                "mo_hinh_cnxh": (("04 da tu",),),
                "cham_diem_dan_van": (("cham diem", "xep loai cong tac dan van"),),
                "cham_diem_cai_cach": (("tieu chi thanh phan cham diem cai cach hanh chinh",),),
                "dan_van_kheo": (("dan van kheo",),),
                "dan_chu_co_so": (("thi hanh luat thuc hien dan chu",), ("bien phap bao dam thuc hien dan chu",),
                                  ("quy che dan chu o co so",)),
                "kiem_tra_dan_van": (("kiem tra giam sat", "cong tac dan van"),),
                "doi_thoai_nhan_dan": (("doi thoai", "voi nhan dan"), ("doi thoai", "tiep dan tai co so")),
                "vu_viec_phuc_tap": (("dong nguoi", "phuc tap"), ("vu viec phuc tap", "keo dai"))},
}


@lru_cache(maxsize=4096)
def subjects_of(title: str) -> frozenset[tuple[str, str]]:
    """The (field, subject) pairs a task's title names."""
    folded = f" {fold(title)} "
    return frozenset((field, name) for field, subjects in FIELDS.items() for name, alternatives in subjects.items()
                     if any(all(f" {phrase} " in folded for phrase in alternative) for alternative in alternatives))


def same_task(title_a: str, title_b: str) -> bool:
    """Two tasks of different plans are one when they name the same subject of the same field, whatever their
    numbers and whichever office each plan put in charge."""
    return bool(subjects_of(title_a) & subjects_of(title_b))
