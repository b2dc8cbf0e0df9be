"""What the synthetic documents say: communes, people, topics and prose.

Everything is drawn from banks of real-looking Vietnamese administrative
phrases with a seeded ``random.Random``, so a seed always gives the same
dossier. A dossier is one matter (a topic) handled by one commune, with the
same officials signing throughout, documents in date order and numbers that
grow through the year as a real register's would.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from .truth import DocumentMeta

# --------------------------------------------------------------------------- places


@dataclass(frozen=True)
class Place:
    name: str  # "Bát Tràng"
    kind: str  # "xã" | "phường"
    province: str  # "Hà Nội"
    city: bool  # province is a centrally-run city ("thành phố")

    @property
    def unit(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def ubnd(self) -> str:
        return f"Ủy ban nhân dân {self.unit}"

    @property
    def province_full(self) -> str:
        return f"{'thành phố' if self.city else 'tỉnh'} {self.province}"

    @property
    def organ_lines(self) -> list[str]:
        return ["ỦY BAN NHÂN DÂN", upper(self.unit)]

    @property
    def economy_head(self) -> str:
        # After the 2025 reform a ward's economic office also covers infrastructure.
        return (
            "Trưởng phòng Kinh tế, Hạ tầng và Đô thị"
            if self.kind == "phường"
            else "Trưởng phòng Kinh tế"
        )

    @property
    def seal_text(self) -> str:
        prefix = "TP." if self.city else "T."
        return f"ỦY BAN NHÂN DÂN {upper(self.unit)} * {prefix} {upper(self.province)} *"


PLACES: tuple[Place, ...] = (
    Place("Bát Tràng", "xã", "Hà Nội", True),
    Place("Hội An", "phường", "Đà Nẵng", True),
    Place("Tân Phú", "xã", "Đồng Nai", False),
    Place("Kim Long", "phường", "Huế", True),
    Place("Mường Hum", "xã", "Lào Cai", False),
    Place("Ea Kar", "xã", "Đắk Lắk", False),
    Place("Hải Hậu", "xã", "Ninh Bình", False),
    Place("Cẩm Xuyên", "xã", "Hà Tĩnh", False),
    Place("Quỳnh Lưu", "xã", "Nghệ An", False),
    Place("Thới Bình", "xã", "Cà Mau", False),
    Place("Phước Long", "phường", "Đồng Nai", False),
    Place("Yên Thế", "xã", "Bắc Ninh", False),
    Place("Nghĩa Hành", "xã", "Quảng Ngãi", False),
    Place("Đức Trọng", "xã", "Lâm Đồng", False),
    Place("Tịnh Biên", "phường", "An Giang", False),
    Place("Bảo Lạc", "xã", "Cao Bằng", False),
    Place("Điện Bàn", "phường", "Đà Nẵng", True),
    Place("Sa Pa", "phường", "Lào Cai", False),
    Place("Đồng Văn", "xã", "Tuyên Quang", False),
    Place("Châu Đốc", "phường", "An Giang", False),
    Place("Cái Bè", "xã", "Đồng Tháp", False),
    Place("Nhơn Trạch", "xã", "Đồng Nai", False),
    Place("Thủy Nguyên", "phường", "Hải Phòng", True),
    Place("Triệu Phong", "xã", "Quảng Trị", False),
    Place("Hướng Hóa", "xã", "Quảng Trị", False),
    Place("Ninh Hòa", "phường", "Khánh Hòa", False),
    Place("Mộc Châu", "xã", "Sơn La", False),
    Place("Phù Cừ", "xã", "Hưng Yên", False),
)

VILLAGES: tuple[str, ...] = (
    "Đông",
    "Đoài",
    "Trung",
    "Thượng",
    "Hạ",
    "Nam Sơn",
    "Phú Mỹ",
    "Tân Lập",
    "An Phú",
    "Bình Minh",
    "Hòa Bình",
    "Quyết Tiến",
    "Đồng Tâm",
    "Kim Lan",
    "Giang Cao",
    "Văn Đức",
    "Thắng Lợi",
    "Hưng Thịnh",
)

# --------------------------------------------------------------------------- people

SURNAMES = (
    "Nguyễn",
    "Nguyễn",
    "Nguyễn",
    "Trần",
    "Trần",
    "Lê",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trương",
    "Lương",
    "Đào",
    "Mai",
    "Tạ",
    "Quách",
    "Hà",
    "Lâm",
    "Triệu",
    "Kiều",
    "Cao",
)
MIDDLE_M = (
    "Văn",
    "Văn",
    "Hữu",
    "Đức",
    "Công",
    "Quang",
    "Minh",
    "Thanh",
    "Tấn",
    "Xuân",
    "Ngọc",
    "Đình",
    "Trọng",
    "Bá",
    "Quốc",
    "Việt",
    "Thế",
    "Anh",
)
MIDDLE_F = (
    "Thị",
    "Thị",
    "Thị",
    "Ngọc",
    "Thu",
    "Thanh",
    "Kim",
    "Bích",
    "Minh",
    "Phương",
    "Hồng",
    "Diệu",
    "Mỹ",
    "Thùy",
)
GIVEN_M = (
    "Phước",
    "Hùng",
    "Dũng",
    "Tuấn",
    "Long",
    "Nam",
    "Sơn",
    "Hải",
    "Thắng",
    "Cường",
    "Quyết",
    "Toàn",
    "Khánh",
    "Lộc",
    "Hiếu",
    "Nghĩa",
    "Trung",
    "Thịnh",
    "Tùng",
    "Bình",
    "Phúc",
    "Đạt",
    "Vinh",
    "Tâm",
    "Huy",
    "Lực",
    "Triều",
    "Khôi",
)
GIVEN_F = (
    "Hương",
    "Lan",
    "Hà",
    "Thảo",
    "Trang",
    "Nga",
    "Hằng",
    "Hạnh",
    "Yến",
    "Loan",
    "Phượng",
    "Nhung",
    "Tuyết",
    "Thủy",
    "Huyền",
    "Oanh",
    "Liên",
    "Duyên",
    "Trinh",
    "Diễm",
    "Nguyệt",
    "Ánh",
)


@dataclass(frozen=True)
class Person:
    name: str
    female: bool

    @property
    def title(self) -> str:
        return f"{'Bà' if self.female else 'Ông'} {self.name}"


def person(rng: random.Random, female: bool | None = None) -> Person:
    if female is None:
        female = rng.random() < 0.35
    if female:
        return Person(f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}", True)
    return Person(f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}", False)


@dataclass(frozen=True)
class Cast:
    """The officials of the commune; the same people sign the whole dossier."""

    chairman: Person
    vice: tuple[Person, Person]
    office_chief: Person  # Chánh Văn phòng HĐND và UBND
    economy_chief: Person
    social_chief: Person
    clerk: Person

    @staticmethod
    def draw(rng: random.Random) -> Cast:
        return Cast(
            person(rng),
            (person(rng), person(rng)),
            person(rng),
            person(rng),
            person(rng),
            person(rng, female=True),
        )


# --------------------------------------------------------------------------- topics


@dataclass(frozen=True)
class Topic:
    phrase: str  # noun phrase used after "về", "kế hoạch", …
    cv: str  # short phrase for a công văn "V/v …"
    laws: tuple[str, ...]  # "Căn cứ …" lines specific to the topic
    facts: tuple[str, ...]  # sentences with {n}, {m}, {p}, {x}, {k} slots


TOPICS: tuple[Topic, ...] = (
    Topic(
        "chỉnh lý, số hóa hồ sơ địa chính",
        "rà soát, số hóa hồ sơ đất đai",
        (
            "Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;",
            "Căn cứ Luật Lưu trữ ngày 21 tháng 6 năm 2024;",
        ),
        (
            "Tổ công tác đã rà soát {n} hồ sơ địa chính lưu trữ tại bộ phận một cửa, trong đó có {m} hồ sơ bị rách, mờ chữ cần phục chế trước khi quét.",
            "Việc số hóa phải bảo đảm bản quét có độ phân giải tối thiểu 200 dpi, định dạng PDF/A và được ký số của cơ quan thực hiện chuyển đổi.",
            "Dữ liệu sau khi số hóa được cập nhật vào cơ sở dữ liệu đất đai và đối chiếu với sổ mục kê, sổ địa chính đang quản lý.",
            "Đến nay đã hoàn thành số hóa {p}% tổng số hồ sơ, các hồ sơ còn lại tiếp tục được thực hiện trong quý tới.",
            "Hồ sơ gốc sau khi số hóa được sắp xếp, đóng hộp và bảo quản tại kho lưu trữ của Ủy ban nhân dân xã.",
        ),
    ),
    Topic(
        "phòng, chống thiên tai và tìm kiếm cứu nạn",
        "chủ động ứng phó với mưa lớn, lũ quét, sạt lở đất",
        ("Căn cứ Luật Phòng, chống thiên tai ngày 19 tháng 6 năm 2013;",),
        (
            "Các thôn chủ động rà soát khu dân cư có nguy cơ sạt lở, ngập úng, chuẩn bị phương án di dời, sơ tán nhân dân khi có tình huống xảy ra.",
            "Ban Chỉ huy phòng thủ dân sự xã duy trì chế độ trực ban 24/24 giờ trong thời gian có mưa lũ.",
            "Thực hiện phương châm bốn tại chỗ: chỉ huy tại chỗ, lực lượng tại chỗ, phương tiện, vật tư tại chỗ và hậu cần tại chỗ.",
            "Đợt mưa lớn vừa qua đã làm hư hỏng {m} ngôi nhà, ngập úng cục bộ {n} ha lúa và hoa màu, không có thiệt hại về người.",
            "Dự trữ đủ lương thực, nước uống, thuốc men và nhu yếu phẩm cho nhân dân ở những khu vực có nguy cơ bị chia cắt.",
        ),
    ),
    Topic(
        "xây dựng nông thôn mới nâng cao",
        "đẩy nhanh tiến độ thực hiện các tiêu chí nông thôn mới",
        (
            "Căn cứ Quyết định số 263/QĐ-TTg ngày 22 tháng 02 năm 2022 của Thủ tướng Chính phủ phê duyệt Chương trình mục tiêu quốc gia xây dựng nông thôn mới giai đoạn 2021 - 2025;",
        ),
        (
            "Đến nay, xã đã đạt {k}/19 tiêu chí theo Bộ tiêu chí xã nông thôn mới nâng cao, các tiêu chí còn lại đang được tập trung chỉ đạo thực hiện.",
            "Nhân dân đã tự nguyện hiến {n} m² đất, đóng góp hơn {m} ngày công để mở rộng, bê tông hóa đường giao thông nông thôn.",
            "Thu nhập bình quân đầu người năm {nam} ước đạt {x} triệu đồng, tỷ lệ hộ nghèo giảm còn {q}%.",
            "Phong trào chỉnh trang nhà ở, cổng ngõ, trồng hoa ven đường được các thôn hưởng ứng tích cực.",
        ),
    ),
    Topic(
        "cải cách thủ tục hành chính và chuyển đổi số",
        "nâng cao tỷ lệ hồ sơ trực tuyến toàn trình",
        (
            "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
        ),
        (
            "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận và giải quyết trực tuyến toàn trình đạt {p}%, không có hồ sơ quá hạn.",
            "Bộ phận Một cửa thực hiện số hóa kết quả giải quyết thủ tục hành chính ngay khi trả kết quả cho tổ chức, cá nhân.",
            "Trong kỳ, Trung tâm Phục vụ hành chính công xã đã tiếp nhận {n} hồ sơ, giải quyết đúng hạn {m} hồ sơ.",
            "Tổ công nghệ số cộng đồng tại các thôn tiếp tục hướng dẫn người dân cài đặt, sử dụng ứng dụng định danh điện tử và thanh toán không dùng tiền mặt.",
        ),
    ),
    Topic(
        "tiêm chủng mở rộng và phòng, chống dịch bệnh",
        "tăng cường công tác phòng, chống dịch bệnh mùa mưa",
        ("Căn cứ Luật Khám bệnh, chữa bệnh ngày 09 tháng 01 năm 2023;",),
        (
            "Trạm Y tế xã đã tổ chức {k} buổi tiêm chủng, tiêm cho {n} lượt trẻ em trong độ tuổi theo đúng lịch.",
            "Tăng cường tuyên truyền để người dân chủ động phòng, chống sốt xuất huyết, tay chân miệng và các dịch bệnh truyền nhiễm khác.",
            "Tổ chức ra quân diệt lăng quăng, bọ gậy tại {m} hộ gia đình, phun hóa chất tại các điểm có nguy cơ cao.",
            "Trên địa bàn không ghi nhận ổ dịch mới, các ca bệnh được phát hiện sớm và điều trị kịp thời.",
        ),
    ),
    Topic(
        "bảo đảm vệ sinh an toàn thực phẩm",
        "tăng cường kiểm tra an toàn thực phẩm",
        ("Căn cứ Luật An toàn thực phẩm ngày 17 tháng 6 năm 2010;",),
        (
            "Đoàn kiểm tra liên ngành đã kiểm tra {n} cơ sở sản xuất, kinh doanh thực phẩm, nhắc nhở {k} cơ sở chưa bảo đảm điều kiện vệ sinh.",
            "Các bếp ăn tập thể tại trường học phải thực hiện lưu mẫu thức ăn và ghi chép đầy đủ nguồn gốc nguyên liệu.",
            "Không để xảy ra ngộ độc thực phẩm trên địa bàn trong dịp lễ, Tết và mùa lễ hội.",
            "Tuyên truyền người tiêu dùng lựa chọn thực phẩm có nguồn gốc rõ ràng, không sử dụng thực phẩm trôi nổi.",
        ),
    ),
    Topic(
        "thu gom, xử lý rác thải sinh hoạt và bảo vệ môi trường",
        "thu gom, vận chuyển rác thải sinh hoạt",
        ("Căn cứ Luật Bảo vệ môi trường ngày 17 tháng 11 năm 2020;",),
        (
            "Duy trì thu gom rác thải sinh hoạt tại các thôn, tổ dân phố với tần suất ít nhất hai lần mỗi tuần.",
            "Nghiêm cấm đổ rác thải, xác động vật ra kênh mương, lòng đường và nơi công cộng.",
            "Khối lượng rác thải được thu gom, xử lý bình quân {k} tấn mỗi ngày, đạt {p}% lượng rác phát sinh.",
            "Vận động các hộ gia đình phân loại rác tại nguồn, tận dụng rác hữu cơ làm phân bón cho cây trồng.",
        ),
    ),
    Topic(
        "cấp giấy chứng nhận quyền sử dụng đất lần đầu",
        "hướng dẫn hồ sơ cấp giấy chứng nhận quyền sử dụng đất",
        ("Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;",),
        (
            "Trong kỳ, Ủy ban nhân dân xã đã tiếp nhận {n} hồ sơ đề nghị cấp giấy chứng nhận, đã thẩm định và chuyển {m} hồ sơ đủ điều kiện đến Văn phòng đăng ký đất đai.",
            "Đối với các trường hợp chưa đủ điều kiện, công chức địa chính hướng dẫn người dân bổ sung giấy tờ theo quy định.",
            "Niêm yết công khai danh sách các trường hợp đủ điều kiện cấp giấy chứng nhận tại trụ sở Ủy ban nhân dân xã và nhà văn hóa các thôn trong thời hạn 15 ngày.",
            "Không có đơn thư khiếu nại, tranh chấp liên quan đến các thửa đất đề nghị cấp giấy chứng nhận.",
        ),
    ),
    Topic(
        "thu, chi ngân sách nhà nước",
        "triển khai thu ngân sách những tháng cuối năm",
        ("Căn cứ Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015;",),
        (
            "Tổng thu ngân sách trên địa bàn ước đạt {x} triệu đồng, bằng {p}% dự toán năm.",
            "Chi ngân sách bảo đảm đúng dự toán, tiết kiệm, ưu tiên chi cho an sinh xã hội và đầu tư phát triển.",
            "Công khai dự toán, quyết toán ngân sách xã theo đúng quy định để nhân dân biết, giám sát.",
            "Đôn đốc các hộ kinh doanh nộp thuế đầy đủ, đúng hạn, chống thất thu ngân sách.",
        ),
    ),
    Topic(
        "chi trả trợ cấp cho đối tượng bảo trợ xã hội",
        "rà soát đối tượng hưởng trợ cấp xã hội hằng tháng",
        (
            "Căn cứ Nghị định số 20/2021/NĐ-CP ngày 15 tháng 3 năm 2021 của Chính phủ quy định chính sách trợ giúp xã hội đối với đối tượng bảo trợ xã hội;",
        ),
        (
            "Thực hiện chi trả trợ cấp hằng tháng cho {n} đối tượng bảo trợ xã hội qua tài khoản cá nhân, bảo đảm đầy đủ, kịp thời.",
            "Rà soát, đề nghị thôi hưởng đối với {k} trường hợp không còn đủ điều kiện theo quy định.",
            "Thăm hỏi, tặng {m} suất quà cho gia đình chính sách, hộ nghèo và người cao tuổi neo đơn nhân dịp Tết Nguyên đán.",
            "Công chức phụ trách văn hóa - xã hội phối hợp với trưởng thôn xác minh hoàn cảnh của từng đối tượng trước khi trình duyệt.",
        ),
    ),
    Topic(
        "lưu trữ hồ sơ, tài liệu",
        "nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan",
        (
            "Căn cứ Luật Lưu trữ ngày 21 tháng 6 năm 2024;",
            "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
        ),
        (
            "Các bộ phận chuyên môn có trách nhiệm lập hồ sơ công việc và nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan đúng thời hạn quy định.",
            "Hồ sơ, tài liệu được chỉnh lý, sắp xếp theo từng năm, xác định thời hạn bảo quản và lập mục lục hồ sơ.",
            "Trong năm, Lưu trữ cơ quan đã tiếp nhận {n} hồ sơ, tương đương {k} mét giá tài liệu.",
            "Tài liệu hết giá trị được thống kê, lập danh mục và trình Hội đồng xác định giá trị tài liệu xem xét trước khi tiêu hủy.",
        ),
    ),
)

# --------------------------------------------------------------------------- generic prose

GENERIC: tuple[str, ...] = (
    "Thực hiện chỉ đạo của Ủy ban nhân dân {tinh} về {chu_de}, Ủy ban nhân dân {xa} đã ban hành kế hoạch và phân công nhiệm vụ cụ thể cho từng bộ phận.",
    "Công tác tuyên truyền được triển khai thường xuyên trên hệ thống truyền thanh cơ sở, trang thông tin điện tử của xã và các nhóm mạng xã hội của thôn.",
    "Các bộ phận chuyên môn thuộc Ủy ban nhân dân xã phối hợp chặt chẽ với Ủy ban Mặt trận Tổ quốc Việt Nam xã và các đoàn thể trong quá trình thực hiện.",
    "Bên cạnh những kết quả đạt được, vẫn còn một số tồn tại, hạn chế như: nguồn nhân lực còn thiếu, trang thiết bị chưa đồng bộ, kinh phí thực hiện còn hạn chế.",
    "Nguyên nhân chủ yếu là khối lượng công việc lớn, trong khi số lượng cán bộ, công chức còn ít và phải kiêm nhiệm nhiều nhiệm vụ.",
    "Trưởng các thôn, tổ dân phố có trách nhiệm phổ biến nội dung này đến từng hộ gia đình trên địa bàn.",
    "Kinh phí thực hiện từ nguồn ngân sách xã năm {nam} và các nguồn huy động hợp pháp khác.",
    "Định kỳ hằng quý, các bộ phận báo cáo kết quả thực hiện về Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã để tổng hợp.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị kịp thời phản ánh về Ủy ban nhân dân xã để xem xét, giải quyết.",
    "Phấn đấu đến hết năm {nam}, hoàn thành {p}% chỉ tiêu được giao.",
    "Việc triển khai phải bảo đảm đúng quy định của pháp luật, công khai, minh bạch, có sự tham gia và giám sát của nhân dân.",
    "Kết quả thực hiện là một trong những tiêu chí đánh giá, xếp loại mức độ hoàn thành nhiệm vụ của tập thể và cá nhân năm {nam}.",
    "Trạm Y tế, Trường Trung học cơ sở, Trường Tiểu học và Trường Mầm non xã phối hợp tuyên truyền đến học sinh và phụ huynh.",
    "Công an xã tăng cường tuần tra, kiểm soát, bảo đảm an ninh chính trị và trật tự, an toàn xã hội trên địa bàn.",
    "Người đứng đầu các bộ phận chịu trách nhiệm trước Chủ tịch Ủy ban nhân dân xã về kết quả thực hiện nhiệm vụ được giao.",
    "Ủy ban nhân dân xã đã tổ chức {k} cuộc họp để đánh giá tiến độ, kịp thời tháo gỡ những khó khăn phát sinh.",
    "Nhìn chung, các nhiệm vụ được triển khai đồng bộ, đúng tiến độ, nhận được sự đồng tình, ủng hộ của đông đảo nhân dân.",
    "Một số thôn chưa thực sự quan tâm, việc tổng hợp số liệu báo cáo còn chậm, chất lượng chưa cao.",
    "Tiếp tục nâng cao chất lượng thông tin, báo cáo, bảo đảm số liệu chính xác, đầy đủ và đúng thời hạn.",
    "Tăng cường kiểm tra, giám sát việc thực hiện ở cơ sở, kịp thời biểu dương những tập thể, cá nhân có thành tích tiêu biểu.",
    "Đề nghị cấp trên quan tâm hỗ trợ kinh phí, đào tạo, bồi dưỡng nghiệp vụ cho đội ngũ công chức làm công tác chuyên môn.",
    "Số liệu được tổng hợp đến hết {ngay_so_lieu}.",
    "Công tác phối hợp giữa các bộ phận có lúc chưa chặt chẽ, việc trao đổi thông tin còn chậm.",
    "Cơ sở vật chất, trang thiết bị phục vụ công tác chuyên môn từng bước được đầu tư, nâng cấp.",
    "Ủy ban nhân dân xã thường xuyên chỉ đạo, đôn đốc các bộ phận chuyên môn thực hiện nghiêm túc nhiệm vụ được giao.",
    "Ý thức chấp hành pháp luật của một bộ phận người dân chưa cao, còn tâm lý trông chờ, ỷ lại.",
    "Những kết quả trên đã góp phần quan trọng vào việc hoàn thành các chỉ tiêu phát triển kinh tế - xã hội của xã năm {nam}.",
    "Thời gian thực hiện từ tháng {thang_a} đến hết tháng {thang_b} năm {nam}.",
    "Đội ngũ cán bộ, công chức đã phát huy tinh thần trách nhiệm, chủ động tham mưu và tổ chức thực hiện.",
    "Tiếp tục đẩy mạnh ứng dụng công nghệ thông tin trong quản lý, điều hành và giải quyết công việc.",
    "Các thôn, tổ dân phố đã tổ chức {k} buổi họp dân để phổ biến, quán triệt nội dung triển khai.",
    "Hằng tháng, Ủy ban nhân dân xã tổ chức giao ban để kiểm điểm tiến độ và chỉ đạo giải quyết những vấn đề phát sinh.",
)

# Duties, as listed under an article of a decision or a plan's tasks.
TASKS: tuple[str, ...] = (
    "Xây dựng kế hoạch chi tiết, phân công nhiệm vụ cụ thể cho từng thành viên và bộ phận có liên quan;",
    "Tổ chức rà soát, thống kê, phân loại hồ sơ, tài liệu và số liệu hiện có trên địa bàn;",
    "Hướng dẫn, đôn đốc các thôn, tổ dân phố triển khai thực hiện đúng tiến độ;",
    "Phối hợp với Ủy ban Mặt trận Tổ quốc Việt Nam xã và các đoàn thể tuyên truyền, vận động nhân dân cùng tham gia;",
    "Kiểm tra, giám sát việc thực hiện ở cơ sở, kịp thời phát hiện và xử lý những vướng mắc phát sinh;",
    "Tổng hợp kết quả, báo cáo Chủ tịch Ủy ban nhân dân xã trước ngày 25 hằng tháng;",
    "Lập dự toán kinh phí thực hiện, trình cấp có thẩm quyền phê duyệt theo quy định;",
    "Quản lý, sử dụng kinh phí đúng mục đích, tiết kiệm, hiệu quả và thanh quyết toán theo quy định;",
    "Cập nhật dữ liệu vào hệ thống thông tin của tỉnh, bảo đảm chính xác, đầy đủ, kịp thời;",
    "Công khai kết quả thực hiện tại trụ sở Ủy ban nhân dân xã và trên trang thông tin điện tử của xã;",
    "Đề xuất khen thưởng các tập thể, cá nhân có thành tích xuất sắc trong quá trình thực hiện;",
    "Bố trí cán bộ, công chức có chuyên môn phù hợp tham gia thực hiện nhiệm vụ;",
    "Bảo đảm an toàn, bảo mật thông tin trong quá trình thu thập, xử lý và lưu trữ dữ liệu;",
    "Tiếp nhận, giải quyết kịp thời các kiến nghị, phản ánh của tổ chức, cá nhân;",
    "Chuẩn bị đầy đủ trang thiết bị, vật tư, phương tiện phục vụ nhiệm vụ;",
    "Tổ chức sơ kết, rút kinh nghiệm sau mỗi đợt triển khai;",
    "Thực hiện chế độ thông tin, báo cáo định kỳ và đột xuất theo yêu cầu của cấp trên;",
    "Phối hợp với Công an xã bảo đảm an ninh, trật tự trong thời gian triển khai;",
    "Lập danh sách các hộ gia đình, cá nhân thuộc diện điều chỉnh, niêm yết công khai theo quy định;",
    "Chủ trì tổ chức tập huấn, hướng dẫn nghiệp vụ cho cán bộ thôn, tổ dân phố;",
    "Rà soát các văn bản, quy định có liên quan, đề xuất sửa đổi, bổ sung cho phù hợp với tình hình thực tế;",
    "Huy động các nguồn lực xã hội hóa để hỗ trợ thực hiện nhiệm vụ;",
)

# Section headings by type; each section gets at least one paragraph.
BC_SECTIONS = (
    ("I. KẾT QUẢ THỰC HIỆN", ("1. Công tác lãnh đạo, chỉ đạo", "2. Kết quả cụ thể")),
    ("II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", ()),
    ("III. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI", ()),
    ("IV. KIẾN NGHỊ, ĐỀ XUẤT", ()),
)
KH_SECTIONS = (
    ("I. MỤC ĐÍCH, YÊU CẦU", ("1. Mục đích", "2. Yêu cầu")),
    ("II. NỘI DUNG THỰC HIỆN", ()),
    ("III. TỔ CHỨC THỰC HIỆN", ()),
)
KH_POINTS: dict[str, tuple[str, ...]] = {
    "1. Mục đích": (
        "Triển khai thực hiện có hiệu quả {chu_de} trên địa bàn xã năm {nam}.",
        "Nâng cao nhận thức, trách nhiệm của cán bộ, công chức và nhân dân trong việc thực hiện {chu_de}.",
        "Phấn đấu hoàn thành các chỉ tiêu được giao, góp phần thực hiện thắng lợi nhiệm vụ phát triển kinh tế - xã hội của xã.",
    ),
    "2. Yêu cầu": (
        "Bám sát chỉ đạo của cấp trên, phù hợp với điều kiện thực tế của địa phương.",
        "Phân công nhiệm vụ cụ thể, rõ người, rõ việc, rõ thời gian hoàn thành.",
        "Bảo đảm tiết kiệm, hiệu quả, đúng quy định của pháp luật.",
    ),
}

_XA = re.compile(r"\bxã\b(?! hội)")


def upper(s: str) -> str:
    return nfc(s.upper())


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def date_text(place: str, d: date) -> str:
    """NĐ 30: days below 10 and months 1, 2 take a leading zero."""
    day = f"{d.day:02d}"
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"{place}, ngày {day} tháng {month} năm {d.year}"


def date_phrase(d: date) -> str:
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


# --------------------------------------------------------------------------- document spec


@dataclass
class Para:
    """A paragraph of the body. ``sentences`` can be trimmed from the end to fit."""

    sentences: list[str]
    style: str = "regular"  # regular | bold | italic | bolditalic
    align: str = "justify"  # justify | center | left
    indent: bool = True  # first-line indent
    lead: str = ""  # label in ``lead_style`` before the first sentence ("Điều 1.")
    lead_style: str = "bold"
    end: str = ""  # appended to the last kept sentence ("./.")
    min_sentences: int = 1
    droppable: bool = False
    keep_with_next: bool = False  # a heading: not left alone at the foot of a page
    space_before: float = 0.0  # points
    section: str = ""  # sections named in DocSpec.optional_sections may be dropped whole

    def runs(self, n: int | None = None) -> list[tuple[str, str]]:
        """(word, style) pairs using the first ``n`` sentences."""
        kept = self.sentences[: len(self.sentences) if n is None else n]
        text = " ".join(kept) + self.end
        out = [(w, self.lead_style) for w in self.lead.split()]
        out += [(w, self.style) for w in text.split()]
        return out


@dataclass
class SignBlock:
    authority: str  # "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "TL. CHỦ TỊCH", ""
    position: str  # "CHỦ TỊCH"
    name: str
    seal: bool = True


@dataclass
class DocSpec:
    meta: DocumentMeta
    cv_subject: str  # công văn "V/v …" (empty otherwise)
    type_heading: str  # "QUYẾT ĐỊNH" (empty for a công văn)
    subject: str  # trích yếu under the type heading (empty for a công văn)
    addressees: list[str]  # "Kính gửi:" lines
    body: list[Para]
    grow_at: int  # index in ``body`` where extra paragraphs go
    grow: Callable[[], Para]  # makes one more paragraph for a longer document
    recipients: list[str]
    sign: SignBlock
    cosign: SignBlock | None = None  # biên bản: the secretary, bottom left
    optional_sections: tuple[str, ...] = ()  # may be left out of a short document


@dataclass(frozen=True)
class DocType:
    code: str  # "QĐ", "" for a công văn
    name: str  # "Quyết định"
    rate: float  # documents of this type issued per day, for realistic numbers


DOC_TYPES: dict[str, DocType] = {
    "QĐ": DocType("QĐ", "Quyết định", 1.1),
    "BC": DocType("BC", "Báo cáo", 0.7),
    "TB": DocType("TB", "Thông báo", 0.4),
    "KH": DocType("KH", "Kế hoạch", 0.35),
    "TTr": DocType("TTr", "Tờ trình", 0.25),
    "BB": DocType("BB", "Biên bản", 0.15),
    "CV": DocType("", "Công văn", 2.0),
}

# Which signature forms suit which type of document.
AUTHORITIES: dict[str, tuple[str, ...]] = {
    "QĐ": ("TM", "KT", "CT"),
    "BC": ("TM", "KT"),
    "TB": ("TL", "KT", "TM"),
    "KH": ("TM", "KT"),
    "TTr": ("TM", "KT"),
    "BB": ("BB",),
    "CV": ("TM", "KT", "TL"),
}


class Writer:
    """Fills templates for one dossier: place, cast, topic and year are fixed."""

    def __init__(self, rng: random.Random, place: Place, cast: Cast, topic: Topic, year: int):
        self.rng = rng
        self.place = place
        self.cast = cast
        self.topic = topic
        self.year = year
        self.counters: dict[str, int] = {}
        self._facts: list[str] = []
        self._generic: list[str] = []
        self._tasks: list[str] = []

    # -- small pieces ---------------------------------------------------------------
    def fill(self, s: str) -> str:
        r = self.rng
        month_a = r.randint(3, 7)
        values = {
            "tinh": self.place.province_full,
            "xa": self.place.unit,
            "chu_de": self.topic.phrase,
            "nam": str(self.year),
            "n": str(r.randint(35, 1450)),
            "m": str(r.randint(6, 240)),
            "k": str(r.randint(3, 17)),
            "p": str(r.randint(62, 99)),
            "q": f"{r.randint(1, 4)},{r.randint(1, 9)}",
            "x": f"{r.randint(2, 98)}.{r.randint(100, 999)}",
            "ngay_so_lieu": date_phrase(date(self.year, r.randint(3, 11), r.randint(1, 28))),
            "thang_a": str(month_a),
            "thang_b": str(r.randint(month_a + 2, 12)),
        }
        return self.localise(s.format(**values))

    def _draw(self, pool: list[str], source: tuple[str, ...]) -> str:
        if not pool:  # refill only once every sentence has been used in this document
            pool.extend(source)
            self.rng.shuffle(pool)
        return self.fill(pool.pop())

    def sentences(self, k: int, facts_share: float = 0.5) -> list[str]:
        """``k`` sentences, a mix of topic facts and generic prose, not repeated within a document."""
        out: list[str] = []
        for _ in range(k):
            if self._facts and self.rng.random() < facts_share:
                # Topic facts are few: each is used once per document, then prose takes over.
                out.append(self.fill(self._facts.pop()))
            else:
                out.append(self._draw(self._generic, GENERIC))
        return out

    def task(self) -> Para:
        return Para(["- " + self._draw(self._tasks, TASKS)], droppable=True)

    def letter_paragraph(self) -> Para:
        return Para(self.sentences(self.rng.randint(1, 2), 0.5), droppable=True)

    def prose(self, lo: int = 2, hi: int = 4) -> Para:
        return Para(self.sentences(self.rng.randint(lo, hi)), min_sentences=1, droppable=True)

    def heading(self, text: str, space: float = 3.0) -> Para:
        return Para(
            [text], style="bold", align="left", indent=True, keep_with_next=True, space_before=space
        )

    def number(self, key: str, day_of_year: int) -> str:
        """A register number that grows through the year; below 10 with a leading zero."""
        rate = DOC_TYPES[key].rate
        base = max(1, round(day_of_year * rate * self.rng.uniform(0.8, 1.1)))
        n = max(base, self.counters.get(key, 0) + 1)
        self.counters[key] = n
        return f"{n:02d}"

    def ref(self, kind: str, d: date) -> str:
        """A reference to an earlier document: "Kế hoạch số 12/KH-UBND ngày 05 tháng 01 năm 2025"."""
        n = self.rng.randint(1, max(2, d.timetuple().tm_yday // 3))
        code = {"Kế hoạch": "KH-UBND", "Công văn": "UBND-VP", "Quyết định": "QĐ-UBND"}[kind]
        return f"{kind} số {n:02d}/{code} {date_phrase(d)}"

    # -- signature forms -----------------------------------------------------------
    def sign_block(self, form: str) -> SignBlock:
        c = self.cast
        if form == "TM":
            return SignBlock("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", c.chairman.name)
        if form == "KT":
            return SignBlock("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", self.rng.choice(c.vice).name)
        if form == "TL":
            return SignBlock("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG", c.office_chief.name)
        if form == "CT":
            return SignBlock("", "CHỦ TỊCH", c.chairman.name)
        if form == "BB":
            return SignBlock("", "CHỦ TRÌ", self.rng.choice((c.chairman, *c.vice)).name, seal=False)
        raise ValueError(form)

    # -- documents -------------------------------------------------------------------
    def document(self, key: str, form: str, d: date, doc_index: int) -> DocSpec:
        place, rng, topic = self.place, self.rng, self.topic
        self._facts[:] = self.topic.facts
        self.rng.shuffle(self._facts)
        self._generic.clear()
        self._tasks.clear()
        dt = DOC_TYPES[key]
        optional: tuple[str, ...] = ()
        number = self.number(key, d.timetuple().tm_yday)
        if key == "CV":
            notation = f"UBND-{rng.choice(('VP', 'VP', 'KT', 'VHXH'))}"
        else:
            notation = f"{dt.code}-UBND"
        sign = self.sign_block(form)
        earlier = d - timedelta(days=rng.randint(5, 40))
        earlier = earlier if earlier.year == d.year else date(d.year, 1, 2)
        by_chair = form in ("KT", "CT")  # a decision of the chairman rather than the committee

        addressees: list[str] = []
        cosign: SignBlock | None = None
        cv_subject = type_heading = subject = ""
        body: list[Para] = []
        grow: Callable[[], Para] = self.prose
        grow_at = len(body)
        if key == "QĐ":
            type_heading = "QUYẾT ĐỊNH"
            variant = rng.randrange(3)
            subject = (
                f"Về việc thành lập Tổ công tác {topic.phrase}",
                f"Về việc ban hành Kế hoạch {topic.phrase} năm {self.year}",
                f"Về việc phê duyệt dự toán kinh phí {topic.phrase} năm {self.year}",
            )[variant]
            who = "CHỦ TỊCH ỦY BAN NHÂN DÂN" if by_chair else "ỦY BAN NHÂN DÂN"
            body.append(
                Para(
                    [f"{who} {upper(place.unit)}"],
                    style="bold",
                    align="center",
                    indent=False,
                    space_before=4,
                )
            )
            laws = ["Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;"]
            laws += list(topic.laws)
            laws.append(
                f"Căn cứ {self.ref('Kế hoạch', earlier)} của Ủy ban nhân dân {place.unit} về {topic.phrase};"
            )
            proposer = rng.choice(
                (
                    place.economy_head,
                    "Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã",
                    "Trưởng phòng Văn hóa - Xã hội",
                )
            )
            laws.append(f"Theo đề nghị của {proposer}.")
            for i, s in enumerate(laws):
                # The last "Căn cứ" lines may go when space is short; the first never.
                body.append(Para([nfc(s)], style="italic", droppable=0 < i < len(laws) - 1))
            body.append(
                Para(
                    ["QUYẾT ĐỊNH:"],
                    style="bold",
                    align="center",
                    indent=False,
                    keep_with_next=True,
                    space_before=3,
                )
            )
            if variant == 0:
                body.append(
                    Para(
                        [
                            f"Thành lập Tổ công tác {topic.phrase} {place.unit}, gồm các ông (bà) có tên sau:"
                        ],
                        lead="Điều 1.",
                    )
                )
                members = [
                    (self.cast.vice[0], "Phó Chủ tịch Ủy ban nhân dân xã, Tổ trưởng"),
                    (
                        self.cast.office_chief,
                        "Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã, Tổ phó",
                    ),
                    (self.cast.economy_chief, f"{place.economy_head}, thành viên"),
                    (self.cast.social_chief, "Trưởng phòng Văn hóa - Xã hội, thành viên"),
                    (self.cast.clerk, "Công chức Văn phòng, thành viên"),
                ]
                for i, (member, role) in enumerate(members):
                    body.append(
                        Para([f"{i + 1}. {member.title} - {role};"], align="left", droppable=i >= 2)
                    )
                art2 = "Tổ công tác có nhiệm vụ giúp Chủ tịch Ủy ban nhân dân xã tổ chức triển khai, kiểm tra, đôn đốc việc thực hiện trên địa bàn, cụ thể:"
            elif variant == 1:
                body.append(
                    Para(
                        [
                            f"Ban hành kèm theo Quyết định này Kế hoạch {topic.phrase} năm {self.year} trên địa bàn {place.unit}."
                        ],
                        lead="Điều 1.",
                    )
                )
                art2 = "Giao các bộ phận chuyên môn thuộc Ủy ban nhân dân xã căn cứ chức năng, nhiệm vụ được giao tổ chức thực hiện Kế hoạch, trong đó tập trung:"
            else:
                total = rng.randint(45, 980)
                body.append(
                    Para(
                        [
                            f"Phê duyệt dự toán kinh phí {topic.phrase} năm {self.year} với tổng số tiền là {total}.{rng.randint(100, 999)}.000 đồng.",
                            f"Nguồn kinh phí: ngân sách {place.unit} năm {self.year}.",
                        ],
                        lead="Điều 1.",
                        min_sentences=1,
                    )
                )
                art2 = "Giao bộ phận Tài chính - Kế toán hướng dẫn các bộ phận liên quan sử dụng kinh phí, trong đó:"
            body.append(Para([art2], lead="Điều 2."))
            tasks = [self.task() for _ in range(rng.randint(2, 3))]
            tasks[0].droppable = False  # "cụ thể:" must be followed by something
            body.extend(tasks)
            grow_at = len(body)
            named = "các ông (bà) có tên tại Điều 1" if variant == 0 else "các bộ phận có liên quan"
            body.append(
                Para(
                    [
                        "Quyết định này có hiệu lực kể từ ngày ký.",
                        f"Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã, {place.economy_head}, Thủ trưởng các cơ quan, đơn vị và {named} chịu trách nhiệm thi hành Quyết định này",
                    ],
                    lead="Điều 3.",
                    end="./.",
                    min_sentences=2,
                )
            )
            grow = self.task
            recipients = [
                "Như Điều 3;",
                "TT Đảng ủy, TT HĐND xã;",
                "Chủ tịch, các PCT UBND xã;",
                "Lưu: VT, VP.",
            ]
        elif key == "BC":
            type_heading = "BÁO CÁO"
            period = rng.choice(("6 tháng đầu năm", "quý I năm", "9 tháng năm", "năm"))
            subject = f"Kết quả thực hiện công tác {topic.phrase} {period} {self.year}"
            body.append(
                Para(
                    [
                        f"Thực hiện {self.ref('Công văn', earlier)} của Ủy ban nhân dân {place.province_full}, Ủy ban nhân dân {place.unit} báo cáo kết quả thực hiện công tác {topic.phrase} {period} {self.year} như sau:"
                    ]
                )
            )
            for head, subs in BC_SECTIONS:
                start = len(body)
                body.append(self.heading(head))
                for sub in subs:
                    body.append(self.heading(sub, 0))
                    body.append(self.prose())
                if not subs:
                    body.append(self.prose(1, 3))
                for p in body[start:]:
                    p.section = head
            optional = (BC_SECTIONS[1][0], BC_SECTIONS[3][0])  # a short report may skip these
            grow_at = 5  # inside "2. Kết quả cụ thể"
            body.append(
                Para(
                    [
                        f"Trên đây là báo cáo kết quả thực hiện công tác {topic.phrase} {period} {self.year} của Ủy ban nhân dân {place.unit}"
                    ],
                    end="./.",
                    space_before=3,
                )
            )
            recipients = [
                f"UBND {place.province_full} (để b/c);",
                "TT Đảng ủy, HĐND xã;",
                "Chủ tịch, các PCT UBND xã;",
                "Lưu: VT, VP.",
            ]
        elif key == "KH":
            type_heading = "KẾ HOẠCH"
            subject = f"Triển khai {topic.phrase} trên địa bàn {place.unit} năm {self.year}"
            body.append(
                Para(
                    [
                        f"Căn cứ {self.ref('Kế hoạch', earlier)} của Ủy ban nhân dân {place.province_full}, Ủy ban nhân dân {place.unit} ban hành Kế hoạch triển khai {topic.phrase} năm {self.year}, cụ thể như sau:"
                    ]
                )
            )
            for head, subs in KH_SECTIONS:
                body.append(self.heading(head))
                for sub in subs:
                    body.append(self.heading(sub, 0))
                    points = rng.sample(KH_POINTS[sub], rng.randint(1, 2))
                    body.extend(Para(["- " + self.fill(x)], droppable=True) for x in points)
                if not subs and head.startswith("II."):
                    body.extend(self.task() for _ in range(rng.randint(2, 4)))
                    grow_at = len(body)
                elif not subs:
                    body.append(self.prose(1, 3))
            body.append(
                Para(
                    [
                        "Trên đây là Kế hoạch triển khai của Ủy ban nhân dân xã, yêu cầu các bộ phận, đơn vị nghiêm túc tổ chức thực hiện"
                    ],
                    end="./.",
                    space_before=3,
                )
            )
            grow = self.task
            recipients = [
                f"UBND {place.province_full} (để b/c);",
                "TT Đảng ủy, HĐND xã;",
                "Các ban, ngành, đoàn thể xã;",
                "Các thôn, tổ dân phố;",
                "Lưu: VT, VP.",
            ]
        elif key == "TB":
            type_heading = "THÔNG BÁO"
            leader = self.cast.chairman if form != "KT" else self.cast.vice[0]
            role = "Chủ tịch" if leader == self.cast.chairman else "Phó Chủ tịch"
            subject = f"Kết luận của {role} Ủy ban nhân dân xã tại cuộc họp về {topic.phrase}"
            body.append(
                Para(
                    [
                        f"Ngày {earlier.day:02d}/{earlier.month:02d}/{earlier.year}, {leader.title}, {role} Ủy ban nhân dân xã chủ trì cuộc họp về {topic.phrase}. Tham dự cuộc họp có đại diện các bộ phận chuyên môn, trưởng các thôn, tổ dân phố."
                    ]
                )
            )
            body.append(
                Para(
                    [
                        f"Sau khi nghe báo cáo và ý kiến của các đại biểu, {role} Ủy ban nhân dân xã kết luận như sau:"
                    ]
                )
            )
            body.append(self.heading("1. Đánh giá chung", 0))
            body.append(self.prose())
            body.append(self.heading("2. Nhiệm vụ trong thời gian tới", 0))
            body.extend(self.task() for _ in range(rng.randint(2, 3)))
            grow_at = len(body)
            grow = self.task
            body.append(
                Para(
                    [
                        "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã thông báo để các bộ phận, đơn vị biết và thực hiện"
                    ],
                    end="./.",
                    space_before=3,
                )
            )
            recipients = [
                "Chủ tịch, các PCT UBND xã;",
                "Các bộ phận chuyên môn;",
                "Các thôn, tổ dân phố;",
                "Lưu: VT, VP.",
            ]
        elif key == "TTr":
            type_heading = "TỜ TRÌNH"
            subject = f"Đề nghị phê duyệt dự toán kinh phí {topic.phrase} năm {self.year}"
            addressees = [f"Hội đồng nhân dân {place.unit}"]
            body.append(
                Para(
                    [
                        f"Căn cứ {self.ref('Kế hoạch', earlier)} của Ủy ban nhân dân {place.unit} về {topic.phrase};"
                    ]
                )
            )
            body.append(
                Para(
                    [
                        f"Ủy ban nhân dân {place.unit} kính trình Hội đồng nhân dân xã xem xét, phê duyệt dự toán kinh phí {topic.phrase} năm {self.year} với các nội dung sau:"
                    ]
                )
            )
            body.append(self.heading("1. Sự cần thiết", 0))
            body.append(self.prose())
            body.append(self.heading("2. Dự toán kinh phí", 0))
            body.append(
                Para(
                    [
                        f"Tổng kinh phí đề nghị là {rng.randint(45, 980)}.{rng.randint(100, 999)}.000 đồng, từ nguồn ngân sách xã năm {self.year}."
                    ]
                )
            )
            grow_at = len(body)
            body.append(
                Para(
                    ["Ủy ban nhân dân xã kính trình Hội đồng nhân dân xã xem xét, quyết định"],
                    end="./.",
                    space_before=3,
                )
            )
            recipients = [
                "Như trên;",
                "TT Đảng ủy xã;",
                "Chủ tịch, các PCT UBND xã;",
                "Lưu: VT, KT.",
            ]
        elif key == "BB":
            type_heading = "BIÊN BẢN"
            subject = f"Họp triển khai {topic.phrase}"
            chair = next(p for p in (self.cast.chairman, *self.cast.vice) if p.name == sign.name)
            clerk = self.cast.clerk
            cosign = SignBlock("", "THƯ KÝ", clerk.name, seal=False)
            hour = rng.choice((7, 8, 8, 9, 14))
            body.append(
                Para(
                    [
                        f"Hôm nay, vào lúc {hour} giờ 00 phút {date_phrase(d)}, tại Hội trường Ủy ban nhân dân {place.unit}, tiến hành cuộc họp triển khai {topic.phrase}."
                    ]
                )
            )
            body.append(self.heading("I. THÀNH PHẦN THAM DỰ"))
            body.append(
                Para(
                    [
                        f"1. Chủ trì: {chair.title} - {'Chủ tịch' if chair == self.cast.chairman else 'Phó Chủ tịch'} Ủy ban nhân dân xã."
                    ],
                    align="left",
                )
            )
            body.append(Para([f"2. Thư ký: {clerk.title} - Công chức Văn phòng."], align="left"))
            body.append(
                Para(
                    [
                        "3. Thành phần: đại diện các bộ phận chuyên môn, trưởng các thôn, tổ dân phố."
                    ],
                    align="left",
                )
            )
            body.append(self.heading("II. NỘI DUNG CUỘC HỌP"))
            body.append(self.prose())
            grow_at = len(body)
            body.append(self.heading("III. KẾT LUẬN"))
            body.append(self.prose(1, 2))
            body.append(
                Para(
                    [
                        f"Cuộc họp kết thúc vào lúc {hour + 2} giờ 30 phút cùng ngày. Biên bản đã được thông qua trước các thành viên dự họp và nhất trí 100%"
                    ],
                    end="./.",
                    space_before=3,
                )
            )
            recipients = []
        elif key == "CV":
            cv_subject = f"V/v {topic.cv}"
            addressees = rng.choice(
                (
                    ["Các bộ phận chuyên môn thuộc UBND xã;", "Trưởng các thôn, tổ dân phố."],
                    [f"Trưởng các thôn, tổ dân phố {place.unit}."],
                    [
                        "Ủy ban Mặt trận Tổ quốc Việt Nam xã;",
                        "Các đoàn thể chính trị - xã hội xã;",
                        "Trưởng các thôn, tổ dân phố.",
                    ],
                )
            )
            body.append(
                Para(
                    [
                        f"Thực hiện {self.ref('Công văn', earlier)} của Ủy ban nhân dân {place.province_full} về việc {topic.cv}, Ủy ban nhân dân {place.unit} đề nghị các đơn vị thực hiện tốt một số nội dung sau:"
                    ]
                )
            )
            body.extend(
                Para(self.sentences(rng.randint(1, 2), 0.7), droppable=i > 0)
                for i in range(rng.randint(2, 3))
            )
            grow_at = len(body)
            grow = self.letter_paragraph
            body.append(
                Para(
                    ["Ủy ban nhân dân xã đề nghị các đơn vị quan tâm, phối hợp thực hiện"],
                    end="./.",
                )
            )
            recipients = ["Như trên;", "Chủ tịch, các PCT UBND xã;", "Lưu: VT, VP."]
        else:  # pragma: no cover - DOC_TYPES is closed
            raise ValueError(key)

        if place.kind != "xã":
            # The banks are written for a commune; a ward's documents say "phường".
            loc = self.localise
            for p in body:
                p.sentences = [loc(x) for x in p.sentences]
            subject, cv_subject = loc(subject), loc(cv_subject)
            addressees = [loc(a) for a in addressees]
            recipients = [loc(r) for r in recipients]
        organ_lines = place.organ_lines
        meta = DocumentMeta(
            doc_index=doc_index,
            organ_lines=organ_lines,
            organ=" ".join(organ_lines),
            organ_name=place.ubnd,
            province=place.province,
            type_name=dt.name,
            type_code=dt.code,
            type_printed=key != "CV",
            code_number=number,
            code_notation=notation,
            number_text=f"Số: {number}/{notation}",
            issued_date=d.isoformat(),
            place=place.name,
            date_text=date_text(place.name, d),
            subject=nfc(cv_subject or subject),
            addressees=[nfc(a) for a in addressees],
            recipients=[nfc("- " + r) for r in recipients],
            signer_authority=sign.authority,
            signer_position=sign.position,
            signer_name=sign.name,
            sealed=sign.seal,
            page_count=0,  # known after layout
            first_page=0,
        )
        for p in body:
            p.sentences = [nfc(s) for s in p.sentences]
        return DocSpec(
            meta,
            nfc(cv_subject),
            type_heading,
            nfc(subject),
            meta.addressees,
            body,
            grow_at,
            grow,
            meta.recipients,
            sign,
            cosign,
            optional,
        )

    def localise(self, text: str) -> str:
        """Say "phường" instead of "xã" for a ward (but keep "xã hội", society)."""
        if self.place.kind == "xã":
            return nfc(text)
        return nfc(_XA.sub(self.place.kind, text))


def plan_dossier(rng: random.Random, n_docs: int) -> tuple[Writer, list[tuple[str, str, date]]]:
    """Choose the commune, officials, topic and, per document: type, signature form, date.

    Every dossier of three or more documents has a công văn, the first
    document is dated in January or February and one is dated before the
    10th of its month, so metadata extraction always meets those cases.
    """
    place = rng.choice(PLACES)
    cast = Cast.draw(rng)
    topic = rng.choice(TOPICS)
    year = rng.choice((2024, 2025, 2025, 2026))
    writer = Writer(rng, place, cast, topic, year)

    # Types without repeats until every type has been used; decisions and letters are commonest.
    keys = ["QĐ", "BC", "TB", "KH", "TTr", "BB", "CV"]
    types: list[str] = []
    bag: list[str] = []
    while len(types) < n_docs:
        if not bag:
            bag = [*keys, "QĐ", "CV"]
            rng.shuffle(bag)
        k = bag.pop()
        if not types or k != types[-1]:
            types.append(k)
    if n_docs >= 3 and "CV" not in types:
        types[rng.randrange(n_docs)] = "CV"

    # Dates: start in Jan/Feb, then move forward, staying within the year.
    d = date(year, rng.choice((1, 2)), rng.randint(1, 27))
    dates: list[date] = []
    for _ in range(n_docs):
        dates.append(d)
        step = rng.randint(3, max(4, 300 // max(1, n_docs)))
        nxt = d + timedelta(days=step)
        d = nxt if nxt.year == year and nxt <= date(year, 12, 28) else d
    if all(x.day >= 10 for x in dates):
        i = rng.randrange(n_docs)
        lo = dates[i - 1] if i else date(year, 1, 1)
        hi = dates[i + 1] if i + 1 < n_docs else date(year, 12, 31)
        candidates = [
            x
            for x in (date(dates[i].year, dates[i].month, k) for k in range(1, 10))
            if lo <= x <= hi
        ]
        dates[i] = (
            rng.choice(candidates)
            if candidates
            else date(dates[i].year, dates[i].month, rng.randint(1, 9))
        )
        dates.sort()

    # Signature forms: cycle through the ones not yet used, as the type allows.
    used: set[str] = set()
    forms: list[str] = []
    for k in types:
        options = list(AUTHORITIES[k])
        fresh = [f for f in options if f not in used]
        f = rng.choice(fresh or options)
        used.add(f)
        forms.append(f)
    return writer, list(zip(types, forms, dates, strict=True))
