"""The payloads of issue 10, items 2 and 4, shared by the security tests."""

#: The payload of issue 10: it closes an inline <script> and opens an element whose handler
#: changes the page title.
XSS = "</script><svg/onload=document.title=/XSS/.source>"
PRODUCT_XSS = "21212" + XSS
CUSTOMER_XSS = "17850" + XSS
CATEGORY_XSS = "home" + XSS
#: A file name cannot hold "/": the same attack without it.
FILE_XSS = "orders<svg onload=document.title=`XSS`>.csv"
#: Ids a spreadsheet would run as formulas (OWASP, CSV injection).
FORMULAS = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1", "-1+2"]
