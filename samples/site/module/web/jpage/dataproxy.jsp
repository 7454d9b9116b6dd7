<?xml version="1.0" encoding="UTF-8"?>
<!-- the whole datastore of column 7236: the sample server answers each POST window from it -->
<datastore>
<recordset>
<record><![CDATA[
<li><a href="/art/2022/1/20/art_7236_101.html" target="_blank" title="金湖县人民政府2021年政府信息公开工作年度报告">金湖县人民政府2021年政府信息公开工作年度报告</a><span class="bt-data-time">2022-01-20</span></li>
]]></record>
<record><![CDATA[
<li><a href="/art/2023/1/16/art_7236_102.html" target="_blank" title="淮安市淮阴区人民政府2022年政府信息公开工作年度报告">淮安市淮阴区人民政府2022年政府信息公开工作年度报告</a><span class="bt-data-time">2023-01-16</span></li>
]]></record>
<record><![CDATA[
<li><a href="/art/2024/1/18/art_7236_103.html" target="_blank" title="淮安市洪泽区水利局2022年政府信息公开工作年度报告">淮安市洪泽区水利局2022年政府信息公开工作年度报告</a><span class="bt-data-time">2024-01-18</span></li>
]]></record>
<record><![CDATA[
<li><a href="/art/2020/1/15/art_7236_104.html" target="_blank" title="周口市生态环境局2019年政府信息公开工作年度报告">周口市生态环境局2019年政府信息公开工作年度报告</a><span class="bt-data-time">2020-01-15</span></li>
]]></record>
<record><![CDATA[
<li><a href="/art/2021/3/1/art_7236_105.html" target="_blank" title="示例县统计局2021年政府信息公开工作年度报告">示例县统计局2021年政府信息公开工作年度报告</a><span class="bt-data-time">2021-03-01</span></li>
]]></record>
</recordset>
</datastore>
