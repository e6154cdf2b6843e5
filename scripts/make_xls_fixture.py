"""Writes server/tests/fixtures/yucho-list.xls: a Japan Post Bank list as an
old Excel workbook (.xls, BIFF8), the way a core banking export leaves it:
codes as numbers (leading zeros lost), half-width kana, a real date cell,
one account by the passbook's 記号・番号. Run with any Python that has xlwt
(`pip install xlwt`); the file is committed, the test reads it."""

import datetime
import pathlib

import xlwt

book = xlwt.Workbook(encoding="utf-8")
sheet = book.add_sheet("一覧")
date = xlwt.easyxf(num_format_str="yyyy/mm/dd")
for c, h in enumerate(["記号/支店", "種目", "番号/口座番号", "名義", "取引日", "金額", "摘要", "取引番号"]):
    sheet.write(0, c, h)
# Demo claim RD-000002 (branch 108, ordinary 7654321) by its passbook:
# 記号 11080 (2nd-3rd digits 10, then 8), 番号 76543211.
sheet.write(1, 0, 11080)
sheet.write(1, 1, "")
sheet.write(1, 2, 76543211)
sheet.write(1, 3, "ｻﾄｳ ｲﾁﾛｳ")
sheet.write(1, 4, datetime.date(2020, 9, 5), date)
sheet.write(1, 5, 30000)
sheet.write(1, 6, "ﾃﾞｲｰﾊﾞﾗｲ")
sheet.write(1, 7, "YU-1")
# An account no claim names, its codes typed 008 and 0001234 (numbers).
sheet.write(2, 0, 8)
sheet.write(2, 1, 1)
sheet.write(2, 2, 1234)
sheet.write(2, 3, "ｵｶ ﾐﾁｺ")
sheet.write(2, 4, "R2.9.12")
sheet.write(2, 5, "３，０００円")
sheet.write(2, 6, "ﾄﾞｺﾓｺｳｻﾞ")
sheet.write(2, 7, "YU-2")
out = pathlib.Path(__file__).resolve().parent.parent / "server/tests/fixtures/yucho-list.xls"
book.save(str(out))
print(out)
